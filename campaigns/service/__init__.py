"""The running service: ``campaigns run`` (what ``make run`` starts).

One supervisor process (``Service``) that, in order:

1. migrates the database (``DATABASE_URL``; default SQLite in ``DATA_DIR``);
2. starts the platform sandbox as a child process when some platform has no credentials and
   nothing answers at ``SANDBOX_URL`` yet (its state in ``DATA_DIR/sandbox.db``, so a demo
   survives a restart; its log in ``DATA_DIR/sandbox.log``);
3. applies ``SPECS_DIR`` once, printing every problem as ``path:line:col``; an invalid spec
   changes nothing and the last valid schedule stays (the beat's ``sync_specs`` keeps applying
   edits every few seconds afterwards);
4. starts ``celery -A worker worker --beat`` as a child process: the beat embedded in the
   worker is the same ``LeasedScheduler`` as a separate ``celery -A worker beat``, so a second
   ``campaigns run`` (or a compose beat) on the same database stands by instead of doubling ticks;
5. serves ``/healthz`` (``campaigns.health`` as JSON, 200 or 503) on ``--health-port``
   (default 8766) from a thread of its own;
6. prints a banner, then watches: Ctrl-C or SIGTERM stops the worker (a warm shutdown: tasks
   in hand finish, the embedded broker gets its unstarted messages back), then the sandbox.

Why a supervisor with child processes rather than threads in one process: the worker needs
Celery's process pool and signal handling, the sandbox its own event loop, and a crash of either
must be visible rather than leave a half-working service. When a child exits on its own the
supervisor says which one and with what exit code (and the sandbox log's last lines), stops the
rest and exits with status 1: restarting is left to whatever runs the service (systemd, Docker's
``restart:``), which also sees the failure. Children run in their own session, so a Ctrl-C reaches
only the supervisor, which stops them in order; on Linux they get SIGTERM if the supervisor
itself is killed (``PR_SET_PDEATHSIG``).

The broker. With ``REDIS_URL`` unset the worker uses kombu's ``filesystem://`` transport in
``DATA_DIR/broker`` (worker/app.py): no server, but delivery is at most once when a worker is
killed (a message it took, or holds for its ETA, is gone with it). That is acceptable because no
message is the truth: the database is. A lost publish message leaves its post ``claimed`` and
the sweep releases the claim after ``CLAIM_TIMEOUT`` so it is dispatched again; a worker killed
mid-publish leaves a ``sending`` row that the sweep reconciles with the platform; a lost tick is
replaced a second later. kombu's SQLAlchemy transport (messages in the same SQLite file) was
the alternative; it is no safer (a message taken is marked invisible and never handed back if
its worker dies), it would compete with publishing for SQLite's single write lock, and it has no
fanout, so ``celery inspect ping`` (the health check's "workers" line) could not work.

With ``REDIS_URL`` and ``DATABASE_URL`` set the same code runs as separate processes instead
(``celery -A worker worker``, any number of them, and ``celery -A worker beat``, one active plus
standbys): see docker-compose.yml. ``campaigns run`` is then still a one-machine shortcut.
"""

from __future__ import annotations

from campaigns.service.errors import ServiceError
from campaigns.service.supervisor import Options, Service

__all__ = ["Options", "Service", "ServiceError"]
