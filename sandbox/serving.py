"""Serving the sandbox's app: aiohttp's runner, except for the requests its HTTP parser refuses.

aiohttp answers a request it cannot parse (a header line over 8 KB, a bad header name) with the
parser's message, which quotes up to 100 bytes of the offending line, and logs that message with
a traceback. A header line can carry a token (``Authorization: Bearer ...``), so here the answer
and the log say what was wrong, never what was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web, web_protocol
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_request import BaseRequest

log = logging.getLogger("sandbox")


class _RequestHandler(web_protocol.RequestHandler):
    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if not isinstance(exc, HttpProcessingError):  # not the parser's: aiohttp's own answer (500)
            return super().handle_error(request, status, exc, message)
        log.warning("sandbox: refused a request it could not parse (%s, %s)", type(exc).__name__, status)
        response = web.Response(status=status, text=f"{status}: the request could not be parsed\n")
        response.force_close()
        return response


class _Server(web.Server):
    def __call__(self) -> web_protocol.RequestHandler:
        return _RequestHandler(self, loop=self._loop, **self._kwargs)


class SandboxRunner(web.AppRunner):
    """``web.AppRunner`` whose connections answer an unparsable request without quoting it."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()  # the app has started; nothing is connected yet
        return _Server(
            server.request_handler,
            request_factory=server.request_factory,
            handler_cancellation=server.handler_cancellation,
            loop=server._loop,
            **server._kwargs,
        )


def serve(app: web.Application, host: str, port: int) -> None:
    """Serve ``app`` until SIGINT or SIGTERM, as ``web.run_app`` does, with ``SandboxRunner``.

    Raises ``OSError`` if ``host:port`` cannot be listened on."""

    async def run() -> None:
        runner = SandboxRunner(app, access_log=None, shutdown_timeout=1.0, handle_signals=True)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            await asyncio.Event().wait()  # until a signal ends the loop
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt, web.GracefulExit):
        asyncio.run(run())
