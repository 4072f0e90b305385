"""The weekly reports and the alert e-mails (queue "metrics"): one domain call each."""

from __future__ import annotations

from campaigns.clock import utc_now
from campaigns.settings import get_settings
from worker import runtime
from worker.app import app


@app.task(name="worker.report_tasks.send_weekly_reports")  # type: ignore[untyped-decorator]
def send_weekly_reports() -> str:
    """Archive and e-mail each campaign's report for last week once its Monday 08:00 local has
    passed; every recipient once (the database remembers), failures retried at the next run."""
    from campaigns.reports import mail  # matplotlib and the templates load here, not in every worker
    from campaigns.reports.weekly import send_weekly_reports as run

    settings = get_settings()
    return str(
        run(
            engine=runtime.context().engine,
            settings=settings,
            now=utc_now(),
            send=lambda message: mail.send(settings, message),
        )
    )


@app.task(name="worker.report_tasks.send_alerts")  # type: ignore[untyped-decorator]
def send_alerts() -> str:
    """E-mail each problem that needs a person to its campaigns' contacts, at most once an hour."""
    from campaigns.reports import mail
    from campaigns.reports.alerts import send_alerts as run

    settings = get_settings()
    if not settings.smtp_host:
        return "alerts: SMTP_HOST not set, nothing e-mailed (see `campaigns status`)"
    return str(
        run(
            engine=runtime.context().engine,
            settings=settings,
            now=utc_now(),
            send=lambda message: mail.send(settings, message),
        )
    )
