"""Make docs/example-report/: the bundled SSW Week campaign, published to the sandbox, one week later.

    .venv/bin/python docs/make_example_report.py

Applies campaign_specs/ to a throwaway SQLite database, marks the posts of 2027-W14 published (as
the service would have), writes the readings a collector would have taken from the sandbox every
hour (``sandbox.metric_feed``), and builds the week's report with ``campaigns report``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, update
from sqlmodel import select

from campaigns.reports.weeks import Week
from campaigns.spec import load_specs
from campaigns.store.db import make_engine, session_scope
from campaigns.store.metrics_models import MetricSample
from campaigns.store.migrate import upgrade
from campaigns.store.models import Post
from campaigns.store.sync import apply_specs
from sandbox.metric_feed import hashtag_hours, post_readings

ROOT = Path(__file__).resolve().parent.parent
WEEK, TZ, SLUG, TAG = Week(2027, 14), "America/New_York", "ssw-week", "#SSWWeek"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="example-report-"))
    url = f"sqlite:///{folder / 'campaigns.db'}"
    engine = make_engine(url)
    upgrade(engine)
    start, end = WEEK.bounds(TZ)
    loaded = load_specs([ROOT / "campaign_specs"], today=start.date())
    apply_specs(engine=engine, specs=loaded.campaigns, now=start - timedelta(days=30))
    read_until = end + timedelta(hours=8)
    rows = []
    with session_scope(engine) as session:
        posts = session.exec(select(Post).where(Post.campaign_slug == SLUG)).all()
        for post in posts:
            published_at = post.scheduled_at + timedelta(seconds=1)
            session.execute(
                update(Post)
                .where(Post.id == post.id)  # type: ignore[arg-type]
                .values(
                    status="published", published_at=published_at, remote_url=f"https://example.org/{post.id}"
                )
            )
            for at, values in post_readings(
                seed=11,
                post_id=post.id,
                channel=post.channel,
                text=post.text,
                published_at=published_at,
                until=read_until,
                every=timedelta(hours=1),
            ):
                rows += [_row(post.channel, "post", post.id, m, v, at) for m, v in values.items()]
        first_use = min(p.scheduled_at for p in posts)
        for hour, uses, accounts in hashtag_hours(
            seed=11, tag=TAG, first_use=first_use, start=start - timedelta(days=7), end=end
        ):
            rows += [
                _row("twitter", "hashtag", TAG, "uses", uses, hour),
                _row("twitter", "hashtag", TAG, "accounts", accounts, hour),
            ]
        session.execute(insert(MetricSample), rows)
    engine.dispose()
    out = ROOT / "docs" / "example-report"
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(folder)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "campaigns",
            "report",
            "Social Service Workforce Week",
            "--week",
            str(WEEK),
            "--out",
            str(out),
        ],
        check=True,
        env=env,
    )


def _row(channel: str, kind: str, subject: str, metric: str, value: int, at: datetime) -> dict[str, object]:
    source = (
        "x.counts_recent"
        if kind == "hashtag"
        else "x.tweets"
        if channel == "twitter"
        else "graph.post_fields"
    )
    return {
        "campaign_slug": SLUG,
        "channel": channel,
        "subject_type": kind,
        "subject": subject,
        "metric": metric,
        "value": value,
        "observed_at": at.astimezone(UTC),
        "source": source,
    }


if __name__ == "__main__":
    main()
