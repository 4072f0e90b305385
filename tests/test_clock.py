"""The service's clock (campaigns.clock): the reference's time extrapolated with the monotonic clock,
resynced every minute, riding out a dead reference, and this machine's clock until a sync worked."""

from __future__ import annotations

import ast
import re
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaigns import clock
from campaigns.clock import ReferenceClock, local_now, set_reference, utc_now

REF = datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
LOCAL = datetime(2027, 3, 16, 10, 0, tzinfo=UTC)  # this machine's clock: an hour ahead


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Source:
    """The reference: its time is REF plus the fake monotonic's progress; can be made to fail."""

    def __init__(self, mono: Monotonic, *, offset: float = 0.0, takes: float = 0.0) -> None:
        self.mono, self.offset, self.takes = mono, offset, takes
        self.calls = 0
        self.fail = False

    def __call__(self) -> datetime:
        self.calls += 1
        if self.fail:
            raise ConnectionError("the database is down")
        self.mono.now += self.takes / 2
        value = REF + timedelta(seconds=self.mono.now - 1000.0 + self.offset)
        self.mono.now += self.takes / 2
        return value


def direct(source: clock.Clock, timeout: float) -> datetime:
    return source()


def make(source: Source, mono: Monotonic) -> ReferenceClock:
    return ReferenceClock(source, monotonic=mono, fallback=lambda: LOCAL, run=direct)


def test_it_extrapolates_the_reference_with_the_monotonic_clock_between_syncs():
    mono = Monotonic()
    source = Source(mono)
    service = make(source, mono)

    assert service.now() == REF
    mono.now += 30.5
    assert service.now() == REF + timedelta(seconds=30.5)
    assert source.calls == 1  # no query within the resync interval


def test_it_resyncs_after_the_interval_and_follows_the_reference():
    mono = Monotonic()
    source = Source(mono)
    service = make(source, mono)
    service.now()
    source.offset = 2.0  # the reference moved (it was corrected by NTP)

    mono.now += clock.RESYNC - 1
    assert service.now() == REF + timedelta(seconds=clock.RESYNC - 1)
    mono.now += 1
    assert service.now() == REF + timedelta(seconds=clock.RESYNC + 2)
    assert source.calls == 2


def test_until_a_sync_worked_it_is_this_machines_clock():
    mono = Monotonic()
    source = Source(mono)
    source.fail = True
    service = make(source, mono)

    assert service.now() == LOCAL and not service.synced


def test_before_a_first_good_sync_it_asks_again_soon():
    mono = Monotonic()
    source = Source(mono)
    source.fail = True
    service = make(source, mono)
    service.now()
    source.fail = False

    mono.now += clock.FIRST_RETRY
    assert service.now() == REF + timedelta(seconds=clock.FIRST_RETRY) and source.calls == 2


def test_a_failed_resync_keeps_extrapolating_and_retries_after_the_backoff():
    mono = Monotonic()
    source = Source(mono)
    service = make(source, mono)
    service.now()
    source.fail = True

    mono.now += clock.RESYNC
    assert service.now() == REF + timedelta(seconds=clock.RESYNC)  # never this machine's clock now
    mono.now += clock.RETRY - 1
    service.now()
    assert source.calls == 2  # one failed try, no hammering of a dead database
    mono.now += 1
    source.fail = False
    source.offset = 0.25
    assert service.now() == REF + timedelta(seconds=clock.RESYNC + clock.RETRY + 0.25)
    assert source.calls == 3


def test_a_sync_slower_than_the_timeout_is_not_trusted():
    mono = Monotonic()
    source = Source(mono, takes=clock.SYNC_TIMEOUT + 0.1)
    service = make(source, mono)

    assert service.now() == LOCAL and not service.synced


def test_it_reads_the_reference_at_the_middle_of_the_round_trip():
    mono = Monotonic()
    source = Source(mono, takes=0.2)  # read at +0.1, the answer back at +0.2
    service = make(source, mono)

    assert service.now() == REF + timedelta(seconds=0.2)


def test_a_reference_that_never_answers_costs_the_timeout_once_not_every_call():
    hang = threading.Event()

    def silent() -> datetime:
        hang.wait(5)
        return REF

    service = ReferenceClock(silent, fallback=lambda: LOCAL, timeout=0.05)
    try:
        started = time.monotonic()
        first = service.now()
        rest = [service.now() for _ in range(100)]
        took = time.monotonic() - started
    finally:
        hang.set()

    assert first == LOCAL and set(rest) == {LOCAL}
    assert took < 1.0


def test_it_never_raises_and_syncs_once_under_many_threads():
    mono = Monotonic()
    source = Source(mono)
    service = make(source, mono)
    results: list[datetime] = []
    threads = [threading.Thread(target=lambda: results.append(service.now())) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert source.calls == 1 and len(results) == 20 and set(results) <= {REF, LOCAL}


def test_utc_now_is_the_registered_reference_and_this_machines_clock_without_one(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(clock, "_reference", None)
    assert abs(utc_now() - local_now()) < timedelta(seconds=1)

    set_reference(lambda: REF)
    assert abs(utc_now() - REF) < timedelta(seconds=1)
    assert clock.reference_clock() is not None


ROOT = Path(__file__).resolve().parent.parent


def test_the_clock_imports_the_standard_library_only():
    """The store registers the database's clock here; the clock never imports a database library."""
    tree = ast.parse((ROOT / "campaigns" / "clock.py").read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_the_product_reads_the_wall_clock_only_in_local_now():
    reads = re.compile(r"datetime\.(now|utcnow)\(|\btime\.time\(\)|date\.today\(\)")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in ("campaigns", "worker", "scheduler")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "campaigns" / "clock.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if reads.search(line)
    ]
    assert offenders == []
