"""Sentinel credentials through publishing's failure paths: the sentinel appears nowhere but in settings.

Every credential (X keys and tokens, the Page token and app secret, the SMTP password) is set to a
sentinel the sandbox does not know, so every publish is refused with an auth error; then the logs, the
results, the settings' repr and every text column of every table are searched.
"""

from __future__ import annotations

import logging
import random

import pytest
from sqlalchemy import Engine, String, Text, select
from sqlmodel import Session, SQLModel

from campaigns.platforms import get_platform
from campaigns.publishing import Context, PlatformPool
from campaigns.settings import load_settings
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import add_campaign, add_post
from tests.support.publishing_fixtures import SharedClock, tick

SENTINEL = "SENTINEL-7f3a9c"
CREDENTIALS = {
    "twitter_consumer_key": f"{SENTINEL}-ck",
    "twitter_consumer_secret": f"{SENTINEL}-cs",
    "twitter_access_token": f"1500000000000000001-{SENTINEL}-at",
    "twitter_access_token_secret": f"{SENTINEL}-ats",
    "twitter_bearer_token": f"{SENTINEL}-bearer",
    "facebook_page_id": "100000000000001",
    "facebook_page_token": f"{SENTINEL}-page",
    "facebook_app_secret": f"{SENTINEL}-app",
    "smtp_password": f"{SENTINEL}-smtp",
}


def _text_in_every_table(engine: Engine) -> str:
    found = []
    with Session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)] or list(table.columns)
            found += [repr(tuple(row)) for row in session.execute(select(*columns))]
    return "\n".join(found)


@pytest.mark.parametrize("channel", ["twitter", "facebook"])
def test_a_refused_sentinel_credential_is_in_no_log_result_or_table(
    engine: Engine, session: Session, sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture, channel: str
):
    settings = load_settings(
        sandbox_url=sandbox.url, twitter_base_url=sandbox.url, facebook_base_url=sandbox.url, **CREDENTIALS
    )
    clock = SharedClock(sandbox)
    ctx = Context(
        engine=engine,
        platforms=PlatformPool(settings, factory=lambda ch, account: get_platform(ch, account, settings)),
        clock=clock,
        sleep=clock.sleep,
        worker="sentinel-worker",
        rng=random.Random(7),
    )
    add_campaign(session)
    add_post(session, "ssw-week:1:" + channel, channel=channel, text="Day 1 #SSW")
    caplog.set_level(logging.DEBUG)

    results = tick(ctx)

    assert results and all(r.outcome != "published" for r in results)
    assert sandbox.posts() == []
    searched = {
        "logs": caplog.text,
        "results": repr(results),
        "settings": repr(settings) + str(settings),
        "database": _text_in_every_table(engine),
    }
    for where, text in searched.items():
        assert SENTINEL not in text, f"the sentinel is in the {where}"
    assert "auth" in searched["database"].lower() or "401" in searched["database"]
