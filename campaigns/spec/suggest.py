"""Nearest valid names for a misspelt timezone or key: what to write instead, in plain words.

Comms staff write "New York" or "london"; the timezone database names places "America/New_York"
and "Europe/London". A place name is matched on the city part first (spaces, case and ``-`` or
``_`` do not matter), then on spelling.
"""

from __future__ import annotations

import difflib
from functools import cache
from zoneinfo import available_timezones

# Region/City names, the ones to suggest; older aliases (US/Eastern, EST5EDT) still match exactly.
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
ZONE_EXAMPLES = "America/New_York, Europe/London or Africa/Nairobi"


def _squashed(name: str) -> str:
    """``name`` without case, spaces, '-' and '_': "New York", "new_york", "New-York" are alike."""
    return "".join(char for char in name.lower() if char not in " -_")


@cache
def _zones() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(every zone by its squashed full name, Region/City zones by their squashed city)."""
    by_name: dict[str, str] = {}
    by_city: dict[str, list[str]] = {}
    for zone in sorted(available_timezones()):
        by_name[_squashed(zone)] = zone
        if zone.startswith(_REGIONS):
            by_city.setdefault(_squashed(zone.rsplit("/", 1)[-1]), []).append(zone)
    return by_name, by_city


def nearest_timezones(written: str, limit: int = 3) -> list[str]:
    """Valid timezone names close to ``written``, nearest first (empty if none is close)."""
    by_name, by_city = _zones()
    wanted = _squashed(written.strip())
    if not wanted:
        return []
    if wanted in by_name:  # only the case or separators differ
        return [by_name[wanted]]
    for part in [wanted, *(_squashed(part) for part in written.split(","))]:  # "Paris, France"
        if part in by_city:
            return by_city[part][:limit]
    city = wanted.rsplit("/", 1)[-1]
    near = difflib.get_close_matches(city, list(by_city), n=limit, cutoff=0.75)
    found = [zone for squashed in near for zone in by_city[squashed]]
    found += [
        by_name[name] for name in difflib.get_close_matches(wanted, list(by_name), n=limit, cutoff=0.75)
    ]
    return list(dict.fromkeys(found))[:limit]


def timezone_message(written: str) -> str:
    """The one-line message for a timezone that does not exist."""
    near = nearest_timezones(written)
    if not near:
        return f"unknown timezone {written!r}: write a region and a city, such as {ZONE_EXAMPLES}"
    if len(near) == 1:
        return f"unknown timezone {written!r} (did you mean '{near[0]}'?)"
    return f"unknown timezone {written!r} (did you mean {', '.join(repr(zone) for zone in near)}?)"


def nearest_key(written: str, known: list[str]) -> str | None:
    """The known key closest to ``written`` (case, spaces, '-' and '_' aside), if one is close."""
    by_squashed = {_squashed(key): key for key in known}
    if _squashed(written) in by_squashed:
        return by_squashed[_squashed(written)]
    near = difflib.get_close_matches(_squashed(written), list(by_squashed), n=1, cutoff=0.6)
    return by_squashed[near[0]] if near else None
