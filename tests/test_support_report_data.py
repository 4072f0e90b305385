"""The test-data builder gives samples a collector could have read: counts that only grow, no duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from campaigns.metrics.names import POST_METRICS
from campaigns.store.metrics_models import MetricSample
from tests.support.db_fixtures import add_campaign
from tests.support.report_data import add_sandbox_hashtag, add_sandbox_readings, sample_row, write_samples

T0 = datetime(2027, 4, 5, 13, tzinfo=UTC)


@pytest.mark.parametrize("channel", ["twitter", "facebook"])
def test_sandbox_readings_are_every_metric_of_the_channel_and_only_grow(session: Session, channel: str):
    add_campaign(session, "c")
    written = add_sandbox_readings(
        session, campaign="c", post_id="p", channel=channel, published_at=T0, until=T0 + timedelta(hours=48)
    )
    rows = session.exec(select(MetricSample).order_by(MetricSample.observed_at)).all()
    assert written == len(rows) == 48 * len(POST_METRICS[channel])
    assert {r.metric for r in rows} == set(POST_METRICS[channel])
    for metric in POST_METRICS[channel]:
        values = [r.value for r in rows if r.metric == metric]
        assert values == sorted(values)
    assert max(r.value for r in rows) > 0


def test_hashtag_hours_have_no_more_accounts_than_uses(session: Session):
    add_campaign(session, "c")
    add_sandbox_hashtag(
        session, campaign="c", tag="#SSWWeek", first_use=T0, start=T0, end=T0 + timedelta(days=2)
    )
    rows = session.exec(select(MetricSample)).all()
    uses = {r.observed_at: r.value for r in rows if r.metric == "uses"}
    accounts = {r.observed_at: r.value for r in rows if r.metric == "accounts"}
    assert uses and uses.keys() == accounts.keys()
    assert all(0 < accounts[h] <= uses[h] for h in uses)
    assert all(h.minute == 0 and h.second == 0 for h in uses)


def test_the_same_reading_cannot_be_stored_twice(session: Session):
    add_campaign(session, "c")
    write_samples(session, [sample_row("c", "p", "likes", 1, T0)])
    with pytest.raises(IntegrityError):
        write_samples(session, [sample_row("c", "p", "likes", 2, T0)])
