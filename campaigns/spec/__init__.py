"""Loading and validating campaign specs: ``load_specs(paths)`` is the one entry point.

A file goes through three gates, and every problem found is reported with its ``line:col``:
1. reading: size, encoding, and hardened YAML (``yaml_tree``);
2. shape: the typed model (``model``), with friendly messages (``messages``);
3. rules: dates, times, links, media, placeholders, lengths, duplicates (``checks``).
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from pydantic import ValidationError

from campaigns import timing
from campaigns.problems import Problem, SpecError
from campaigns.spec import pool, yaml_tree
from campaigns.spec.campaign import CampaignSpec
from campaigns.spec.checks import Finding, check_document, check_posts
from campaigns.spec.messages import describe
from campaigns.spec.model import CampaignDoc

__all__ = [
    "MAX_FILE_BYTES",
    "CampaignSpec",
    "LoadResult",
    "SpecError",
    "load_file",
    "load_spec_text",
    "load_specs",
    "spec_files",
]

MAX_FILE_BYTES = 2 * 1024 * 1024
SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadResult:
    campaigns: list[CampaignSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def spec_files(paths: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """(file, specs root) for every spec file named or found under the named folders.

    Raises FileNotFoundError for a path that does not exist.
    """
    found: list[tuple[Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in SPEC_SUFFIXES and p.is_file())
            found += [(f, path.resolve()) for f in files]
        elif path.is_file():
            found.append((path, path.resolve().parent))
        else:
            raise FileNotFoundError(str(path))
    return found


def load_specs(paths: Sequence[str | Path], *, today: date) -> LoadResult:
    """Load every spec under ``paths``. Yearly campaigns are checked on their next run after ``today``.

    Never raises for a bad spec: problems are in the result. Raises FileNotFoundError for a missing path.
    """
    result = LoadResult()
    slugs: dict[str, str] = {}
    files = spec_files(paths)
    workers = pool.workers_for(len(files), sum(_size(file) for file, _ in files))
    with _without_cyclic_gc():
        loaded = pool.map_in_order(partial(_load_one, today=today), files, workers)
        for (file, _), (spec, problems) in zip(files, loaded, strict=True):
            result.files += 1
            result.problems += problems
            if spec is None:
                continue
            if spec.slug in slugs:
                message = f"another spec is also named {spec.slug!r} ({slugs[spec.slug]}): rename one file"
                result.problems.append(Problem(str(file), 1, 1, "error", message))
                continue
            slugs[spec.slug] = str(file)
            result.campaigns.append(spec)
    return result


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector while loading, and resume it after.

    Loading keeps hundreds of thousands of objects (one model per post) and holds no reference
    cycles worth collecting meanwhile; the collector would walk all of them again each time the
    heap grows by a quarter, ~15% of the time on a large corpus. Memory is still freed by
    reference counting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:  # load_file reports it
        return 0


def _load_one(file_and_root: tuple[Path, Path], *, today: date) -> tuple[CampaignSpec | None, list[Problem]]:
    """:func:`load_file` for :func:`pool.map_in_order`, which passes one argument."""
    file, root = file_and_root
    return load_file(file, root, today=today)


def load_file(file: Path, root: Path, *, today: date) -> tuple[CampaignSpec | None, list[Problem]]:
    """Load one spec file. Returns the spec (None if it has errors) and every problem found."""
    try:
        # A file over the limit is refused unread (a 50 MB file is never held); at most one byte past
        # the limit is read if the file grows meanwhile (read(n) reserves n bytes: not MAX for all).
        with file.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(min(size, MAX_FILE_BYTES) + 1) if size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        return None, [Problem(str(file), 1, 1, "error", f"cannot read the file: {exc.strerror}")]
    if size > MAX_FILE_BYTES:
        return None, [_too_big(str(file), size)]
    return _load_bytes(raw, file, root, today=today)


def _too_big(name: str, size: int) -> Problem:
    message = f"the file is {size / 1_048_576:.1f} MB; a campaign spec may be at most {MAX_FILE_BYTES // 1_048_576} MB"
    return Problem(name, 1, 1, "error", message)


def _load_bytes(
    raw: bytes, file: Path, root: Path, *, today: date
) -> tuple[CampaignSpec | None, list[Problem]]:
    name = str(file)
    if len(raw) > MAX_FILE_BYTES:
        return None, [_too_big(name, len(raw))]
    text, problem = _decode(raw, name)
    if problem is not None:
        return None, [problem]
    findings, doc = _read_document(text, name)
    if isinstance(findings, Problem):
        return None, [findings]
    spec = None
    if doc is not None:
        spec = CampaignSpec(
            doc, file.stem, name, hashlib.sha256(raw).hexdigest(), file.resolve().parent, root
        )
        findings += check_document(doc)
        if not any(f.severity == "error" for f in findings):
            findings += check_posts(spec, _reference_day(spec, today))
    problems = _place(findings, text, name)
    return (spec if not any(p.is_error for p in problems) else None), problems


def _decode(raw: bytes, name: str) -> tuple[str, Problem | None]:
    if b"\x00" in raw[:8192]:
        return "", Problem(name, 1, 1, "error", "this is a binary file, not a YAML text file")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return "", Problem(name, line, col, "error", "the file is not UTF-8 text (save it as UTF-8)")


def _read_document(text: str, name: str) -> tuple[list[Finding] | Problem, CampaignDoc | None]:
    try:
        data, duplicates = yaml_tree.load(text)
    except yaml_tree.YamlError as exc:
        return Problem(name, exc.line, exc.col, "error", exc.message), None
    findings: list[Finding] = []
    for key, line, col in duplicates:
        message = f"the key '{key}' appears twice in the same mapping (YAML would keep only the last)"
        findings.append(Finding((), "error", message, position=(line, col)))
    if not isinstance(data, dict):
        return Problem(
            name, 1, 1, "error", "a campaign spec must be a mapping of keys (campaign:, timezone:, ...)"
        ), None
    try:
        return findings, CampaignDoc.model_validate(data)
    except ValidationError as exc:
        for detail in exc.errors():
            path, message, at_key = describe(detail)
            findings.append(Finding(path, "error", message, at_key))
        return findings, None


def _reference_day(spec: CampaignSpec, today: date) -> date:
    """The first day of the run that validation renders: the start, or the next yearly occurrence."""
    if spec.doc.start is not None:  # past or years ahead, it is the one run there is
        return timing.parse_date(spec.doc.start)
    upcoming = spec.first_days(today, date(min(today.year + 1, 9999), 12, 31))
    if upcoming:
        return upcoming[0]
    return spec.first_days(date(today.year - 1, 1, 1), today)[-1]


def _place(findings: list[Finding], text: str, name: str) -> list[Problem]:
    """Give each finding its line and column (one extra parse, only when there is something to report)."""
    if not findings:
        return []
    problems = []
    positions = yaml_tree.Positions(text)
    for f in findings:
        if f.position is not None:
            line, col = f.position
        else:
            located = positions.locate(f.path)
            line, col = located.key if f.at_key and located.key else located.value
        problems.append(Problem(name, line, col, f.severity, f.message))
    problems.sort(key=lambda p: (p.line, p.col))
    return problems


def load_spec_text(text: str | bytes, name: str, *, root: Path, today: date) -> CampaignSpec:
    """Load one spec from text (as if it were the file ``name`` in ``root``).

    Returns the spec; raises :class:`campaigns.problems.SpecError` (and nothing else) when it has errors.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    spec, problems = _load_bytes(raw, root / name, root, today=today)
    if spec is None:
        raise SpecError(problems)
    return spec
