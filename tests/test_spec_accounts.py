"""``accounts:`` in a spec: which configured account posts on each channel, from YAML to the platform."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from campaigns import demo_accounts
from campaigns.cli import cli
from campaigns.plan import plan_posts
from campaigns.publishing import Context, PlatformPool, dispatch_due, publish_batch
from campaigns.settings import Settings, get_settings, load_settings
from campaigns.store.sync import apply_specs
from sandbox.testing import SandboxHandle, run_sandbox
from tests.support.publishing_fixtures import Queue, SharedClock, post_row
from tests.support.spec_files import MINIMAL, load_folder, only, problems_of, write_spec

ACCOUNTS = "accounts:\n  twitter: alliance-na\n"
WITH_ACCOUNTS = MINIMAL.replace("link: https://example.org/x\n", "link: https://example.org/x\n" + ACCOUNTS)


def test_a_campaign_names_the_account_that_posts_on_each_channel(tmp_path: Path):
    write_spec(tmp_path, WITH_ACCOUNTS)
    result = load_folder(tmp_path)

    posts = plan_posts(result.campaigns, date(2027, 4, 1), date(2027, 4, 30))

    assert result.problems == []
    assert {(p.channel, p.account) for p in posts} == {("twitter", "alliance-na"), ("facebook", "default")}


def test_without_accounts_every_post_uses_each_platforms_default_account(tmp_path: Path):
    write_spec(tmp_path, MINIMAL)

    posts = plan_posts(load_folder(tmp_path).campaigns, date(2027, 4, 1), date(2027, 4, 30))

    assert {p.account for p in posts} == {"default"}


def test_an_unknown_channel_under_accounts_is_pointed_at_with_a_suggestion(tmp_path: Path):
    problem = only(
        problems_of(tmp_path, WITH_ACCOUNTS.replace("  twitter: alliance-na", "  twiter: alliance-na"))
    )

    assert (problem.line, problem.col) == (9, 3)
    assert "unknown key 'twiter'" in problem.message and "did you mean 'twitter'" in problem.message


def test_an_account_name_is_a_plain_name(tmp_path: Path):
    problem = only(problems_of(tmp_path, WITH_ACCOUNTS.replace("alliance-na", '"our account!"')))

    assert (problem.line, problem.col) == (9, 12)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Settings from nothing but what the test sets (no shell variables, no .env)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(f"{name.upper()}_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("environment")
def test_validate_warns_about_an_account_this_machine_does_not_have(tmp_path: Path):
    write_spec(tmp_path / "specs", WITH_ACCOUNTS)

    result = CliRunner().invoke(cli, ["validate", "specs"])

    assert result.exit_code == 0, result.output  # a warning: the server may well have the account
    assert (
        "specs/spec.yaml:9:12: warning: no twitter account named 'alliance-na' is configured here "
        "(configured: default); its posts would wait until it is"
    ) in result.output


@pytest.mark.usefixtures("environment")
def test_validate_says_nothing_of_an_account_that_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    write_spec(tmp_path / "specs", WITH_ACCOUNTS.replace("alliance-na", "sandbox-002"))
    monkeypatch.setenv("SANDBOX_EXTRA_ACCOUNTS", "2")

    result = CliRunner().invoke(cli, ["validate", "specs"])

    assert result.exit_code == 0 and "0 warnings" in result.output, result.output


@pytest.fixture(scope="module")
def family_sandbox() -> Iterator[SandboxHandle]:
    """A sandbox with one extra account on each platform (``sandbox-001``) besides the demo ones."""
    with run_sandbox(extra_accounts=1) as handle:
        yield handle


def test_a_post_goes_out_from_the_account_its_spec_names(
    engine: Engine, tmp_path: Path, family_sandbox: SandboxHandle
):
    family_sandbox.reset()
    clock = SharedClock(family_sandbox)
    spec = MINIMAL.replace("start: 2027-04-05", f"start: {clock.now:%Y-%m-%d}").replace(
        'time: "09:00"', f'time: "{clock.now:%H:%M}"'
    )
    spec = spec.replace("timezone: America/New_York", "timezone: UTC")
    write_spec(
        tmp_path,
        spec.replace(
            "link: https://example.org/x\n",
            "link: https://example.org/x\n" + ACCOUNTS.replace("alliance-na", "sandbox-001"),
        ),
    )
    apply_specs(engine=engine, specs=load_folder(tmp_path).campaigns, now=clock.now)
    settings = load_settings(sandbox_url=family_sandbox.url, sandbox_extra_accounts=1)
    ctx = Context(
        engine=engine, platforms=PlatformPool(settings), clock=clock, sleep=clock.sleep, rng=random.Random(1)
    )
    queue = Queue()

    dispatch_due(ctx, queue)
    results = [r for ids, _ in queue.batches for r in publish_batch(ctx, ids)]

    assert [r.outcome for r in results] == ["published", "published"], results
    tweet = post_row(engine, f"spec:d1-{clock.now:%H%M}:twitter")
    assert tweet.account == "sandbox-001"
    [on_x] = family_sandbox.posts(platform="x")
    assert on_x["id"] == tweet.remote_ids[0] and on_x["account"] == demo_accounts.x_username(1)
    [on_facebook] = family_sandbox.posts(platform="facebook")
    assert on_facebook["account_id"] == demo_accounts.FB_PAGE_ID  # facebook stays on the default Page
