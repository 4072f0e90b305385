"""Every sandbox fault, seen through the real client libraries, lands on the right project exception."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from campaigns.account_config import AccountConfig, Channel, demo_credentials, sandbox_account
from campaigns.platforms import (
    AlreadyPublished,
    CredentialsRejected,
    OutcomeUnknown,
    Platform,
    PlatformError,
    RateLimited,
    RejectedPost,
    TransientError,
    platform_for,
)
from sandbox.testing import SandboxHandle


@dataclass(frozen=True)
class Side:
    channel: Channel
    fault_platform: str  # the sandbox's name for it
    create_path: str  # fault path pattern of the create route (Graph paths without /vNN.0)
    read_path: str  # the route check() reads
    too_long: str

    def __str__(self) -> str:
        return self.channel


X = Side("twitter", "x", "/2/tweets", "/2/users/me", "a" * 281)
FB = Side("facebook", "facebook", "/*/feed", "/me", "a" * 63_207)
SIDES = [pytest.param(X, id="twitter"), pytest.param(FB, id="facebook")]


def adapter(sandbox: SandboxHandle, side: Side, *, timeout: float = 10) -> Platform:
    return platform_for(sandbox_account(side.channel, "default", sandbox_url=sandbox.url), timeout=timeout)


def fault(sandbox: SandboxHandle, side: Side, kind: str, *, create: bool = True, **spec: object) -> None:
    method, path = ("POST", side.create_path) if create else ("GET", side.read_path)
    sandbox.add_fault(kind=kind, platform=side.fault_platform, method=method, path=path, **spec)


@pytest.mark.parametrize("side", SIDES)
def test_it_maps_a_server_error_on_a_read_to_a_transient_error(sandbox: SandboxHandle, side: Side) -> None:
    fault(sandbox, side, "error", create=False, status=503, times=1)
    with pytest.raises(TransientError) as raised:
        adapter(sandbox, side).check()
    assert not isinstance(raised.value, OutcomeUnknown)


@pytest.mark.parametrize("side", SIDES)
def test_it_maps_a_server_error_on_a_create_to_outcome_unknown(sandbox: SandboxHandle, side: Side) -> None:
    fault(sandbox, side, "error", status=500, times=1)
    platform = adapter(sandbox, side)
    with pytest.raises(OutcomeUnknown):
        platform.publish("Day 1")
    platform.publish("Day 1")  # the retry after reconciling
    assert len(sandbox.posts()) == 1


@pytest.mark.parametrize("side", SIDES)
def test_it_times_out_a_hung_create_as_outcome_unknown(sandbox: SandboxHandle, side: Side) -> None:
    fault(sandbox, side, "hang", times=1)
    since = datetime.now(UTC)
    with pytest.raises(OutcomeUnknown, match="timed out"):
        adapter(sandbox, side, timeout=0.5).publish("Day 1")
    assert adapter(sandbox, side).find_candidates("Day 1", since=since) == []  # safe to try again


@pytest.mark.parametrize("side", SIDES)
def test_it_reports_a_cut_connection_as_outcome_unknown_and_then_finds_the_post(
    sandbox: SandboxHandle, side: Side
) -> None:
    fault(sandbox, side, "cut", times=1)
    since = datetime.now(UTC)
    platform = adapter(sandbox, side)
    with pytest.raises(OutcomeUnknown, match="connection lost"):
        platform.publish("Day 1: it went out after all")
    [truth] = sandbox.posts()
    [found] = platform.find_candidates("Day 1: it went out after all", since=since)
    assert found.id == truth["id"]


def test_it_maps_an_x_429_storm_to_rate_limited_until_the_windows_reset(sandbox: SandboxHandle) -> None:
    frozen = datetime.now(UTC).replace(microsecond=0)
    sandbox.set_clock(frozen)
    fault(sandbox, X, "rate_limit")
    platform = adapter(sandbox, X)
    with pytest.raises(RateLimited) as raised:
        platform.publish("Day 1")
    assert raised.value.reset_at == frozen + timedelta(minutes=15)
    limit = platform.rate_limit("POST", "/2/tweets")
    assert limit is not None and limit.remaining == 0 and limit.reset_at == raised.value.reset_at


def test_it_maps_a_graph_rate_limit_to_rate_limited_until_access_is_regained(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(datetime.now(UTC).replace(microsecond=0))  # the Page's usage hour starts now
    platform = adapter(sandbox, FB)
    platform.check()
    fault(sandbox, FB, "rate_limit", code=32)
    before = datetime.now(UTC)
    with pytest.raises(RateLimited, match="code 32") as raised:
        platform.publish("Day 1")
    # X-Business-Use-Case-Usage says 60 minutes (estimated_time_to_regain_access).
    assert timedelta(minutes=59) < raised.value.reset_at - before <= timedelta(minutes=61)


@pytest.mark.parametrize("side", SIDES)
def test_it_maps_a_duplicate_to_already_published(sandbox: SandboxHandle, side: Side) -> None:
    platform = adapter(sandbox, side)
    platform.publish("Same words twice")
    with pytest.raises(AlreadyPublished):
        platform.publish("Same words twice")


@pytest.mark.parametrize("side", SIDES)
def test_it_maps_a_too_long_post_to_rejected_post(sandbox: SandboxHandle, side: Side) -> None:
    with pytest.raises(RejectedPost) as raised:
        adapter(sandbox, side).publish(side.too_long)
    assert "long" in raised.value.reason
    assert sandbox.posts() == []


@pytest.mark.parametrize("side", SIDES)
def test_it_maps_a_revoked_token_to_credentials_rejected(sandbox: SandboxHandle, side: Side) -> None:
    fault(sandbox, side, "revoke", create=False)
    with pytest.raises(CredentialsRejected):
        adapter(sandbox, side).check()


def test_it_maps_a_wrong_x_secret_to_credentials_rejected(sandbox: SandboxHandle) -> None:
    credentials = demo_credentials("twitter").model_copy(update={"access_token_secret": SecretStr("wrong")})
    config = sandbox_account("twitter", "wrong", sandbox_url=sandbox.url, credentials=credentials)
    with pytest.raises(CredentialsRejected, match="HTTP 401"):
        platform_for(config).publish("Day 1")


def test_it_maps_an_unknown_page_token_to_credentials_rejected(sandbox: SandboxHandle) -> None:
    credentials = demo_credentials("facebook").model_copy(update={"page_token": SecretStr("unknown-token")})
    config = sandbox_account("facebook", "wrong", sandbox_url=sandbox.url, credentials=credentials)
    with pytest.raises(CredentialsRejected, match="code 190") as raised:
        platform_for(config).publish("Day 1")
    assert raised.value.code == 190


@pytest.mark.parametrize("side", SIDES)
def test_it_reports_a_refused_connection_as_transient_not_unknown(side: Side) -> None:
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = sandbox_account(side.channel, "default", sandbox_url=f"http://127.0.0.1:{port}")
    with pytest.raises(TransientError, match="cannot connect") as raised:
        platform_for(config).publish("Day 1")
    assert not isinstance(raised.value, OutcomeUnknown)


@pytest.mark.parametrize("side", SIDES)
def test_it_never_puts_a_secret_in_an_error(sandbox: SandboxHandle, side: Side) -> None:
    config = sandbox_account(side.channel, "default", sandbox_url=sandbox.url)
    errors = [
        _error_for(sandbox, config, side, kind) for kind in ("error", "hang", "cut", "rate_limit", "revoke")
    ]
    errors.append(_error_for(sandbox, config, side, None))  # a duplicate
    shown = "\n".join(f"{e}\n{e!r}\n{e.args}\n{e.message}" for e in errors)
    assert [s for s in config.credentials.secret_values() if s in shown] == []
    assert all("\n" not in str(e) for e in errors)


def _error_for(sandbox: SandboxHandle, config: AccountConfig, side: Side, kind: str | None) -> PlatformError:
    sandbox.reset()
    if kind is not None:
        fault(sandbox, side, kind, times=1)
    platform = platform_for(config, timeout=0.5)
    try:
        platform.publish("Same words")
        platform.publish("Same words")
    except PlatformError as e:
        return e
    raise AssertionError(f"no error for {kind}")


@pytest.mark.parametrize("side", SIDES)
def test_it_keeps_secrets_out_of_the_libraries_debug_logs(
    sandbox: SandboxHandle, side: Side, caplog: pytest.LogCaptureFixture
) -> None:
    config = sandbox_account(side.channel, "default", sandbox_url=sandbox.url)
    platform = platform_for(config)
    with caplog.at_level(logging.DEBUG):
        post = platform.publish("Logged post")
        platform.metrics([post.id])
        platform.check()
    assert "/2/" in caplog.text or "/v23.0/" in caplog.text  # the libraries did log their requests
    assert [s for s in config.credentials.secret_values() if s in caplog.text] == []
