"""The HTTP seam under both client libraries (campaigns/platforms/http.py)."""

from __future__ import annotations

import threading

import requests

from campaigns.platforms.http import route_session
from sandbox.testing import SandboxHandle

LIBRARY_HOST = "https://graph.facebook.com"


def test_each_thread_sees_the_answer_to_its_own_request(sandbox: SandboxHandle) -> None:
    # One adapter serves every task of a threads-pool worker: an error is explained by the last
    # answer's status and headers, which must be the answer to that thread's request.
    session = requests.Session()
    log = route_session(session, LIBRARY_HOST, sandbox.url, timeout=5, local=True)
    asked, answered = threading.Event(), threading.Event()
    seen: dict[str, int | None] = {}

    def first() -> None:
        session.get(f"{LIBRARY_HOST}/_sandbox/clock")  # 200
        asked.set()
        answered.wait(5)  # meanwhile another thread got a 404 on the same session
        seen["first"] = log.last_status

    thread = threading.Thread(target=first)
    thread.start()
    asked.wait(5)
    session.get(f"{LIBRARY_HOST}/_sandbox/no-such-route")
    seen["second"] = log.last_status
    answered.set()
    thread.join(5)

    assert seen == {"first": 200, "second": 404}
