"""Request bodies the dashboard will read: forms only, so small, and of a stated length.

Starlette reads a url-encoded form whole into memory, before any login check: without a limit, anyone
who can reach the login page could make the process hold gigabytes. A body must state its length
(``Content-Length``; browsers always do for forms) and be at most :data:`MAX_BODY_BYTES`; the bytes
actually received are counted too, in case the header lies.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024  # the largest form (a login, a pause reason) is a few hundred bytes
_BODY_METHODS = {"POST", "PUT", "PATCH"}


class BodyTooLarge(Exception):
    """The client sent more bytes than its Content-Length, or than the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is None:
            if headers.get(b"transfer-encoding") is None:
                await self.app(scope, receive, send)  # no body at all
            else:
                await _plain(send, 411, "a request body must state its Content-Length")
            return
        if not length.isdigit() or int(length) > self.max_bytes:
            await _plain(send, 413, f"a request body may be at most {self.max_bytes // 1024} KB")
            return
        await self.app(scope, _counted(receive, int(length)), send)


def _counted(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise BodyTooLarge("the request body is longer than its Content-Length")
        return message

    return counted


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
