"""The fault harness: the real stack under random faults, then every post checked against the
sandbox's ground truth, every metrics window and every weekly report.

    .venv/bin/python benchmarks/faults.py [--seed N] [--seconds 600] [--kills 100] [--each 3]
        [--soak 0] [--campaigns 4] [--fast] [--keep]

Starts its OWN Redis and PostgreSQL (so that it may restart and flush them), the sandbox, two
Celery workers (``--concurrency 2`` each) and two beats (one active, one standing by on the
lease), and campaign spec files with posts due every minute (metrics collection on, every 60 s),
and a real SMTP server (aiosmtpd, in this process) the service e-mails to; the weekly job ticks every
5 s with its clock shifted so that the run's week falls due a third into the fault phase.
Then, optionally, ``--soak`` seconds of steady load without faults (memory of every process
sampled: slope reported; lateness p99), then ``--seconds`` of faults at random moments drawn from
``--seed`` (printed: rerun with it to replay): ``--kills`` SIGKILLs of a worker, and ``--each`` of
every other kind (active beat killed, Redis restarted, PostgreSQL restarted, latency spikes, 5xx
bursts, 429 storms, hung requests, "accepted then cut", a credential revoked then restored),
plus once: Redis flushed, the worker and beat hosts' clocks an hour back, an hour forward (the
database server's clock, the service's time authority, does not step), the spec edited.
It waits until every post due is final and prints: posts, faults of each kind, duplicates,
lost, unconfirmed, published early (all must be 0); metrics windows: N collected, M gaps (their reasons), K missing
(must be 0), where a window is a post's read interval (a read later than its interval plus half a
tick missed one, which the collector must record as a gap) or a completed UTC hour of a campaign
hashtag (counted, or a gap), windows still open at the end and posts published in the last minute
left out; reports: due N (each campaign with posts that week, and the digest, to REPORT_RECIPIENTS),
sent once, twice (must be 0), not sent without a reason (must be 0), counted from the messages the
SMTP server received; lateness outside fault windows, recovery after each kind.
``--skip``: fault kinds left out (comma-separated). ``--fast``: the sweep's and reconciliation's
timeouts shortened (3 s / 2 s) as in the tests, and a 429 storm's window resetting after 5 s
(Graph: 1 minute) instead of X's 15 minutes, so that a short run recovers in seconds instead of the production 150 s. Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.faultkit.run import Options, run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=None, help="default: a random one (printed)")
    parser.add_argument("--seconds", type=float, default=600.0, help="the fault phase's length")
    parser.add_argument("--kills", type=int, default=100, help="worker SIGKILLs in the fault phase")
    parser.add_argument("--each", type=int, default=3, help="faults of every other kind")
    parser.add_argument("--soak", type=float, default=0.0, help="seconds of steady load before the faults")
    parser.add_argument("--campaigns", type=int, default=4)
    parser.add_argument("--fast", action="store_true", help="shortened sweep/reconcile timeouts")
    parser.add_argument("--settle", type=float, default=900.0, help="longest wait for final states")
    parser.add_argument("--keep", action="store_true", help="keep the logs folder")
    parser.add_argument(
        "--skip", default="", help="fault kinds left out, comma-separated (e.g. clock_forward)"
    )
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
    folder = Path(tempfile.mkdtemp(prefix="faults-"))
    options = Options(
        seed=seed, seconds=args.seconds, kills=args.kills, each=args.each, soak=args.soak,
        campaigns=args.campaigns, fast=args.fast, settle=args.settle,
        skip=tuple(kind for kind in args.skip.split(",") if kind),
    )  # fmt: skip
    print(f"seed {seed} (replay: --seed {seed}); logs in {folder}")
    ok = run(options, folder, out=print)
    if not args.keep and ok:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
