"""Container health probes: ``python -m campaigns.service.probe beat|sandbox [URL]``.

Exit status 0 when healthy, 1 when not, with one line saying why (docker-compose.yml uses them):

- ``beat``: some beat ticked recently (the lease in the database). Green on a standby too, as
  long as the active one ticks: the pair is what matters, and a standby cannot be told from a
  stuck beat by the lease alone.
- ``sandbox [URL]``: the platform sandbox answers its admin API (default: ``SANDBOX_URL``).

Workers are probed with ``celery -A worker inspect ping`` instead.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from campaigns.clock import utc_now
from campaigns.health import check_beat
from campaigns.service.sandbox import sandbox_answers
from campaigns.settings import SettingsError, get_settings
from campaigns.store.db import make_engine

USAGE = "usage: python -m campaigns.service.probe beat|sandbox [URL]"


def probe(argv: Sequence[str]) -> tuple[bool, str]:
    """(healthy, one line)."""
    if argv[:1] == ["sandbox"]:
        url = argv[1] if len(argv) > 1 else get_settings().sandbox_url
        healthy = sandbox_answers(url, timeout=3.0)
        return healthy, f"sandbox at {url}: {'answers' if healthy else 'does not answer'}"
    if argv[:1] == ["beat"]:
        engine = make_engine(get_settings().database_url)
        try:
            check = check_beat(engine, utc_now())
        except Exception as e:  # the database's driver error, whatever it is: unhealthy, one line
            return False, f"beat: cannot read the database: {' '.join(str(e).split())[:200]}"
        finally:
            engine.dispose()
        return check.ok, f"beat: {check.detail}"
    return False, USAGE


def main(argv: Sequence[str]) -> int:
    try:
        healthy, line = probe(argv)
    except SettingsError as e:
        healthy, line = False, str(e)
    sys.stdout.write(line + "\n")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
