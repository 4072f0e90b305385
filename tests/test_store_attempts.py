"""The attempt log and thread progress: recorded before and after each platform call, without secrets."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns.store.attempts import REDACTED, finish_attempt, record_part, redact, start_attempt
from campaigns.store.models import Attempt, Post
from tests.support.db_fixtures import NOW, add_campaign, add_post

THREAD = ["1/3 first", "2/3 second", "3/3 third"]


def test_it_counts_and_logs_each_try_of_a_sending_post(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, status="sending")

    first = start_attempt(session=session, post_id="ssw-week:d1p1:twitter", now=NOW, worker="w1")
    session.commit()
    assert first is not None and first.id is not None
    finish_attempt(
        session=session,
        attempt_id=first.id,
        now=NOW + timedelta(milliseconds=1500),
        outcome="retry",
        error="503 Service Unavailable",
        response={"status": 503},
    )
    second = start_attempt(session=session, post_id="ssw-week:d1p1:twitter", now=NOW + timedelta(minutes=1))
    session.commit()

    assert second is not None and second.number == 2
    with Session(engine) as fresh:
        post = fresh.get(Post, "ssw-week:d1p1:twitter")
        assert post is not None and (post.attempts, post.last_error) == (2, "503 Service Unavailable")
        logged = fresh.exec(select(Attempt).order_by(Attempt.number)).all()  # type: ignore[arg-type]
        assert [(a.number, a.outcome, a.duration_ms, a.worker) for a in logged] == [
            (1, "retry", 1500, "w1"),
            (2, "started", None, None),
        ]
        assert logged[0].response == {"status": 503}


def test_it_starts_no_attempt_for_a_post_that_is_not_sending(session: Session):
    add_campaign(session)
    add_post(session, status="claimed")

    assert start_attempt(session=session, post_id="ssw-week:d1p1:twitter", now=NOW) is None
    assert start_attempt(session=session, post_id="missing", now=NOW) is None


def test_it_keeps_secrets_out_of_the_log(session: Session):
    add_campaign(session)
    add_post(session, status="sending")
    attempt = start_attempt(session=session, post_id="ssw-week:d1p1:twitter", now=NOW)
    assert attempt is not None and attempt.id is not None

    finish_attempt(
        session=session,
        attempt_id=attempt.id,
        now=NOW,
        outcome="failed",
        error="GET https://graph.facebook.com/v23.0/me?access_token=EAAB-secret-1&fields=id failed",
        response={
            "headers": {"Authorization": "Bearer AAAA-secret-2"},
            "paging": {"next": "https://graph.facebook.com/v23.0/1/posts?access_token=EAAB-secret-3&after=x"},
            "request": {"oauth_consumer_key": "ck-secret-4", "text": "hello"},
        },
    )
    session.commit()

    stored = session.get(Attempt, attempt.id)
    assert stored is not None
    everything = f"{stored.error} {stored.response}"
    assert "secret" not in everything
    assert stored.response is not None and stored.response["request"]["text"] == "hello"


def test_it_redacts_nested_credentials_but_keeps_ordinary_fields():
    cleaned = redact({"data": [{"id": "1", "access_token": "t"}], "api_key": "k", "keyword": "kept"})
    assert cleaned == {
        "data": [{"id": "1", "access_token": REDACTED}],
        "api_key": REDACTED,
        "keyword": "kept",
    }


def test_it_records_thread_parts_in_order_so_a_retry_resumes_after_the_last(session: Session, engine: Engine):
    add_campaign(session)
    post = add_post(session, status="sending", thread=THREAD, text=THREAD[0])

    assert record_part(
        session=session, post=post, index=0, remote_id="101", now=NOW, url="https://x.com/i/status/101"
    )
    assert record_part(session=session, post=post, index=1, remote_id="102", now=NOW)
    assert not record_part(session=session, post=post, index=1, remote_id="999", now=NOW)  # twice: refused
    assert not record_part(session=session, post=post, index=3, remote_id="104", now=NOW)  # a gap: refused
    session.commit()

    with Session(engine) as fresh:
        stored = fresh.get(Post, post.id)
        assert stored is not None
        assert (stored.remote_ids, stored.remote_url) == (["101", "102"], "https://x.com/i/status/101")
        assert stored.parts[len(stored.remote_ids) :] == ["3/3 third"]  # what a resumed try still sends


def test_it_records_no_part_once_the_post_has_left_sending(session: Session):
    add_campaign(session)
    post = add_post(session, status="unconfirmed")

    assert not record_part(session=session, post=post, index=0, remote_id="101", now=NOW)
    assert post.remote_ids == []
