"""X's pay-per-use credits: reads are billed per post returned, and a spent balance answers 402.

The sandbox keeps one balance of post reads (``Options.x_read_credits``; None = unlimited, the
default). Every read route charges the posts it returns (``GET /2/tweets``, ``/2/tweets/:id``,
``/2/users/:id/tweets``, ``/2/tweets/search/recent``) and a counts request one unit, as X bills
"Counts recent" per request. A request that meets an empty balance gets X's 402 Problem
(title ``CreditsDepleted``; the reference marks the exact body as unverified) and returns nothing.
A request is answered in full while any credit is left: the balance may end below zero, as a
billing system that charges after the fact does. ``POST /_sandbox/credits {"reads": n}`` refills
(``null`` = unlimited); ``GET`` shows the balance and what was spent.
"""

from __future__ import annotations

from sandbox.errors import X_PROBLEMS, PlatformError


class Credits:
    def __init__(self, reads: int | None) -> None:
        self.initial = reads
        self.reset()

    def reset(self) -> None:
        self.balance: int | None = self.initial
        self.spent = 0

    def refill(self, reads: int | None) -> None:
        self.balance = reads

    def check(self) -> None:
        """402 when nothing is left: call before doing a read's work."""
        if self.balance is not None and self.balance <= 0:
            raise credits_depleted()

    def charge(self, reads: int) -> None:
        self.spent += reads
        if self.balance is not None:
            self.balance -= reads


def credits_depleted() -> PlatformError:
    return PlatformError(
        402,
        {
            "title": "CreditsDepleted",
            "detail": "Your enrolled account does not have any credits to fulfill this request.",
            "type": X_PROBLEMS + "credits-depleted",
            "status": 402,
        },
    )
