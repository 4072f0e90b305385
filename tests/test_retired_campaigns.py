"""A campaign whose spec file was deleted: `diff` shows it removed until `apply` retires it (its
unpublished posts cancelled, its history kept); after that it is no longer listed as a change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns.cli import cli
from campaigns.settings import get_settings
from campaigns.store.models import Campaign, Post
from campaigns.store.states import PostStatus, transition
from tests.support.db_fixtures import NOW

SPEC = """\
campaign: {name}
timezone: UTC
start: 2027-03-17
time: "10:00"
channels: [twitter]
posts:
  - "First post of {name} #TestWeek"
  - text: "Second post of {name} #TestWeek"
    time: "12:00"
"""


@pytest.fixture
def specs(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "campaign_specs"
    folder.mkdir()
    for slug in ("kept", "gone"):
        (folder / f"{slug}.yaml").write_text(SPEC.format(name=slug.title()))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SPECS_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def cli_output(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_deleted_spec_is_retired_by_apply_and_then_drops_out_of_the_diff(specs: Path, engine: Engine):
    cli_output("apply")
    with Session(engine) as session:  # one of its posts went out before the file was deleted
        for old, new in (("scheduled", "claimed"), ("claimed", "sending"), ("sending", "published")):
            transition(
                session=session,
                post_id="gone:d1-1000:twitter",
                expected=PostStatus(old),
                to=PostStatus(new),
                now=NOW,
            )
        session.commit()
    (specs / "gone.yaml").unlink()

    before = cli_output("diff")
    assert "campaign gone: removed" in before and "gone:d1-1200:twitter" in before
    cli_output("apply")
    after = cli_output("diff")

    assert "gone" not in after
    assert "No post changes: the schedule already follows the specs." in after
    with Session(engine) as session:
        retired = session.get(Campaign, "gone")
        statuses = {p.id: p.status for p in session.exec(select(Post).where(Post.campaign_slug == "gone"))}
    assert retired is not None and retired.removed_at is not None
    assert statuses == {"gone:d1-1000:twitter": "published", "gone:d1-1200:twitter": "cancelled"}
    assert "gone:d1-1000:twitter" in cli_output("status", "gone")  # its history stays
