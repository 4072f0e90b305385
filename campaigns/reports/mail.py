"""E-mail over SMTP (stdlib): the weekly report as HTML with inline CID charts, a text part and the CSV."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from campaigns.reports.build import Rendered
from campaigns.settings import Settings


class MailError(Exception):
    """The message could not be handed to the SMTP server. One line, no secrets."""


def one_line(header: str) -> str:
    """``header`` with every line break and run of white space made one space.

    Subjects carry campaign names and platform error text: a CR or LF in them must never start a new
    header (``Bcc:``), nor make the email library refuse the whole message.
    """
    return " ".join(header.split())


def report_message(rendered: Rendered, *, sender: str, recipient: str) -> EmailMessage:
    """multipart/mixed: (text | related(html, the charts' PNGs as cid:<name>)) + report.csv."""
    report = rendered.report
    message = EmailMessage()
    message["Subject"] = one_line(f"{report.name}: weekly report, {report.week}")
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(rendered.text)
    message.add_alternative(rendered.email_html, subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)  # the part add_alternative just made
    for chart in rendered.charts:
        html_part.add_related(chart.png, "image", "png", cid=f"<{chart.name}>", filename=f"{chart.name}.png")
    message.add_attachment(rendered.csv.encode(), "text", "csv", filename=f"{report.slug}-{report.week}.csv")
    return message


def text_message(*, subject: str, body: str, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = one_line(subject)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message.set_content(body)
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Hand ``message`` to the configured SMTP server. Raises MailError (one line) when it cannot."""
    if not settings.smtp_host:
        raise MailError("SMTP_HOST is not set: e-mail cannot be sent")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user and settings.smtp_password is not None:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as e:
        # smtplib's messages name the server's answer, never the password.
        detail = " ".join(str(e).split()) or type(e).__name__
        raise MailError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {detail}"[:300]) from None
