"""The campaign spec format, as typed models.

These models check the *shape* of a spec (which keys, which types); rules that need more than one
field (placeholders, lengths, media files, duplicates, DST) live in :mod:`campaigns.spec.checks`.
The same models produce the JSON Schema that editors use to autocomplete (``campaigns schema``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from campaigns import timing
from campaigns.spec import characters, suggest

Channel = Literal["twitter", "facebook"]
# Shown to editors through the JSON Schema; the validators below give the friendly message.
_TIME_HINT: dict[str, Any] = {"pattern": r"^\d{1,2}:\d{2}$", "examples": ["09:00", "13:30"]}


def _check_time(value: str | None) -> str | None:
    if value is not None:
        timing.parse_time(value)
    return value


# A start outside these years is a typo (9999 for 2027): refused, and every date of the campaign,
# and its posting times in UTC, stay far from the ends of Python's calendar.
FIRST_YEAR, LAST_YEAR = 2000, 2199


def _check_date(value: str | None) -> str | None:
    if value is not None:
        day = timing.parse_date(value)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(
                f"the date {value.strip()!r} is not between {FIRST_YEAR} and {LAST_YEAR}: is the year a typo?"
            )
    return value


def _check_name(value: str) -> str:
    if (message := characters.control_in_name(value)) is not None:
        raise ValueError(message)
    return value


def _check_rule(value: str | None) -> str | None:
    if value is not None:
        timing.parse_rule(value)
    return value


def _check_link(value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise ValueError(f"link {value!r} must start with https:// (or http://)")
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(suggest.timezone_message(value)) from None
    return value


def _check_duration(value: str | None) -> str | None:
    if value is not None:
        timing.parse_duration(value)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PostSpec(_Strict):
    """One post: the same text everywhere, or one text per channel, or a Twitter thread."""

    text: str | None = Field(None, description="The post's text, for every channel it goes to.")
    twitter: str | None = Field(None, description="The text for X/Twitter (instead of `text`).")
    facebook: str | None = Field(None, description="The text for Facebook (instead of `text`).")
    thread: list[str] | None = Field(
        None,
        min_length=2,
        description="A Twitter thread: each item is one tweet, posted as replies in order.",
    )
    time: str | None = Field(
        None,
        description='Local posting time, "HH:MM"; overrides the day and campaign.',
        json_schema_extra=_TIME_HINT,
    )
    channels: list[Channel] | None = Field(
        None, min_length=1, description="Where it goes; overrides the default."
    )
    link: str | None = Field(None, description="What `{link}` means in this post.")
    image: str | None = Field(None, description="Image file, relative to the spec file.")
    alt: str | None = Field(None, description="Alt text describing the image (required with `image`).")
    id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="A stable name for this post, so that moving it in the file keeps its schedule.",
    )
    late_window: str | None = Field(
        None, description='How late it may still go out after an outage, e.g. "6h", "90m". Default 6h.'
    )

    _time = field_validator("time")(_check_time)
    _late = field_validator("late_window")(_check_duration)
    _link = field_validator("link")(_check_link)


def _post_kind(value: Any) -> str:
    return "text" if isinstance(value, str) else "post"


PostItem = Annotated[
    Annotated[str, Tag("text")] | Annotated[PostSpec, Tag("post")],
    Discriminator(_post_kind),
]


class DaySpec(_Strict):
    """One day of the campaign, with its theme and posts."""

    theme: str | None = Field(None, description="The day's theme; `{theme}` in a post.")
    link: str | None = Field(None, description="What `{link}` means on this day.")
    time: str | None = Field(
        None, description='Default local posting time for this day, "HH:MM".', json_schema_extra=_TIME_HINT
    )
    posts: list[PostItem] = Field(min_length=1, description="The day's posts.")

    _time = field_validator("time")(_check_time)
    _link = field_validator("link")(_check_link)


_ACCOUNT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class AccountsSpec(_Strict):
    """Which configured account posts on each channel (by the name the service's configuration gives it)."""

    twitter: str | None = Field(
        None, pattern=_ACCOUNT_NAME, description="The X account's name; default: `default`."
    )
    facebook: str | None = Field(
        None, pattern=_ACCOUNT_NAME, description="The Facebook Page's name; default: `default`."
    )


class CampaignDoc(_Strict):
    """A campaign: one YAML file in `campaign_specs/`."""

    model_config = ConfigDict(title="Campaign spec", json_schema_extra={"$id": "campaign-spec"})

    campaign: str = Field(
        min_length=1, description="The campaign's name, e.g. Social Service Workforce Week."
    )
    timezone: str = Field(
        description="Where the posting times are local: a region and city such as America/New_York, Europe/London."
    )
    start: str | None = Field(None, description="Date of day 1 (YYYY-MM-DD); the days follow one a day.")
    every_year: str | None = Field(
        None, description='For a yearly event instead of `start`: "third Tuesday of March", "May 15", ...'
    )
    time: str = Field(
        "09:00",
        description='Default local posting time, "HH:MM" (24-hour clock).',
        json_schema_extra=_TIME_HINT,
    )
    channels: list[Channel] = Field(
        ["twitter", "facebook"], min_length=1, description="Default channels: twitter, facebook."
    )
    hashtags: list[Annotated[str, Field(pattern=r"^#\w+$")]] = Field(
        [], description="Hashtags tracked for engagement; every post should carry at least one."
    )
    link: str | None = Field(
        None, description="What `{link}` means in a post, unless a day or post sets its own."
    )
    accounts: AccountsSpec | None = Field(
        None,
        description="Which configured account posts on each channel; each platform's `default` if not given.",
    )
    contacts: list[Annotated[str, Field(pattern=_EMAIL)]] = Field(
        [],
        description="E-mail addresses told about this campaign's problems (alerts) and sent its weekly report.",
    )
    report_to: list[Annotated[str, Field(pattern=_EMAIL)]] = Field(
        [], description="More e-mail addresses sent the weekly report (no alerts)."
    )
    paused: bool = Field(False, description="true stops this campaign's posts from going out until set back.")
    late_window: str = Field("6h", description="How late a post may still go out after an outage.")
    days: list[DaySpec] | None = Field(None, min_length=1, description="The campaign's days, in order.")
    posts: list[PostItem] | None = Field(
        None, min_length=1, description="Shorthand for a one-day campaign: its posts."
    )

    _time = field_validator("time")(_check_time)
    _late = field_validator("late_window")(_check_duration)
    _link = field_validator("link")(_check_link)
    _start = field_validator("start")(_check_date)
    _name = field_validator("campaign")(_check_name)
    _rule = field_validator("every_year")(_check_rule)
    _timezone = field_validator("timezone")(_check_timezone)


def json_schema() -> dict[str, Any]:
    schema = CampaignDoc.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
