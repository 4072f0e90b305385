"""The only exceptions the domain sees from a platform.

Each adapter maps its library's exceptions to these in exactly one place (``_mapped`` in
``twitter.py`` and ``facebook.py``). Messages are one line and never contain a credential: they are
built by the adapters from status codes, error codes and the platform's own human message.

How a caller should react:

- ``RateLimited``: hold the account until ``reset_at``, then try again.
- ``TransientError``: try again later (backoff); nothing reached the platform, or it failed there.
- ``OutcomeUnknown`` (a ``TransientError``): a create may have reached the platform. Reconcile with
  ``Platform.find_candidates`` before trying again, or the post may appear twice.
- ``AlreadyPublished``: the platform refused a duplicate; the post exists. Find it with
  ``find_candidates`` to record its id.
- ``CredentialsRejected``: stop using the account until a person fixes it.
- ``QuotaExhausted`` (a ``RejectedPost``): the account cannot post until a person acts (monthly
  usage cap, credits depleted); waiting for a rate-limit reset does not help.
- ``RejectedPost``: this post will never be accepted as it is (too long, bad media...).
"""

from __future__ import annotations

from datetime import datetime


class PlatformError(Exception):
    """Base class. ``str(e)`` is one line, e.g. ``twitter/default: rejected: text too long (HTTP 400)``."""

    kind = "error"

    def __init__(self, message: str, *, platform: str, account: str) -> None:
        self.platform = platform
        self.account = account
        self.message = " ".join(message.split())  # one line, whatever the platform sent
        super().__init__(f"{platform}/{account}: {self.kind}: {self.message}")


class TransientError(PlatformError):
    """A failure that a later retry may not meet (5xx, connection refused, Graph codes 1/2)."""

    kind = "temporary failure"


class OutcomeUnknown(TransientError):
    """A create request may have reached the platform: read timeout, connection cut after sending,
    or a 5xx / Graph code 1-2 answer to a create (a gateway may give up while the post is made)."""

    kind = "outcome unknown"


class RateLimited(PlatformError):
    """The platform asks us to wait until ``reset_at`` (aware, UTC)."""

    kind = "rate limited"

    def __init__(self, message: str, *, platform: str, account: str, reset_at: datetime) -> None:
        self.reset_at = reset_at
        super().__init__(
            f"{message} (until {reset_at:%Y-%m-%d %H:%M:%S} UTC)", platform=platform, account=account
        )


class AlreadyPublished(PlatformError):
    """The platform refused the post as a duplicate of one already published (X 403, Graph 506)."""

    kind = "already published"


class CredentialsRejected(PlatformError):
    """The credentials are wrong, expired, revoked or lack a permission (X 401, Graph 190/102/10/2xx)."""

    kind = "credentials rejected"

    def __init__(self, message: str, *, platform: str, account: str, code: int | None = None) -> None:
        self.code = code
        super().__init__(message, platform=platform, account=account)


class RejectedPost(PlatformError):
    """The platform will not accept this post as it is. ``reason`` is the platform's own words."""

    kind = "rejected"

    def __init__(self, reason: str, *, platform: str, account: str) -> None:
        self.reason = " ".join(reason.split())
        super().__init__(reason, platform=platform, account=account)


class QuotaExhausted(RejectedPost):
    """The account's usage cap or credits are spent: no post goes out until a person acts."""

    kind = "quota exhausted"
