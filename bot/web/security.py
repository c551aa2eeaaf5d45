"""ASGI middleware that guards every request before it reaches a route.

- `SecurityHeadersMiddleware`: nosniff, referrer policy, and on HTML pages a strict
  Content-Security-Policy with `frame-ancestors 'none'`.
- `RateLimitMiddleware`: token bucket per client IP on `/api/` (429 + Retry-After).
- `BodyLimitMiddleware`: request bodies above the cap get 413 before any parsing.
- `JsonOnlyMiddleware`: API POSTs must be `application/json` (else 415).
- `InternalErrorMiddleware`: an exception escaping a route becomes a JSON 500 inside the
  other guards, so it carries their headers (CORS too) and the connection stays open.

Pure ASGI (no BaseHTTPMiddleware) so bodies are read once and streaming stays cheap.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.ratelimit import TokenBucketLimiter, retry_after_header

#: The policy for our own pages: our scripts, styles and API only, never framed.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: JSON and scripts are never documents: forbid everything if one is opened as a page.
NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'"

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"

API_PREFIX = "/api/"

log = logging.getLogger(__name__)


async def send_json_error(
    send: Send, status: int, loc: list[str], msg: str, extra: Iterable[tuple[str, str]] = ()
) -> None:
    """Answer with a field-level error body in the shape FastAPI uses for 422."""
    body = json.dumps({"detail": [{"loc": loc, "msg": msg, "type": f"http_{status}"}]}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.encode(), v.encode()) for k, v in extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Adds the usual protective headers to every response (stricter CSP on pages)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                content_type = headers.get("content-type", "")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if content_type.startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", PAGE_CSP)
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
                else:
                    headers.setdefault("Content-Security-Policy", NON_PAGE_CSP)
                if scope["path"].startswith(API_PREFIX):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimitMiddleware:
    """429 with Retry-After once a client IP has used up its bucket on `/api/`.

    Per worker process, keyed by `scope["client"]` (see `bot.web.ratelimit`): behind a
    proxy that is the visitor's address only if uvicorn trusts the proxy's
    X-Forwarded-For (`FORWARDED_ALLOW_IPS`, set in deploy/compose.yaml).
    """

    def __init__(self, app: ASGIApp, limiter: TokenBucketLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].startswith(API_PREFIX)
            and scope["method"] != "OPTIONS"
        ):
            client = scope.get("client")
            key = client[0] if client else "unknown"
            wait = self.limiter.acquire(key)
            if wait > 0:
                retry = retry_after_header(wait)
                await send_json_error(
                    send,
                    429,
                    ["client"],
                    f"Too many requests: try again in {retry} s.",
                    [("retry-after", retry)],
                )
                return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        # Buffer the (small, capped) body so an undeclared oversized stream is caught too.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        await send_json_error(
            send, 413, ["body"], f"Request body too large (limit {self.max_bytes} bytes)."
        )


class JsonOnlyMiddleware:
    """API POSTs must declare `application/json`; anything else gets 415."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].startswith(API_PREFIX)
        ):
            content_type = Headers(scope=scope).get("content-type", "")
            media_type = content_type.split(";", 1)[0].strip().lower()
            if media_type != "application/json":
                await send_json_error(
                    send,
                    415,
                    ["header", "content-type"],
                    "Content-Type must be application/json.",
                )
                return
        await self.app(scope, receive, send)


class InternalErrorMiddleware:
    """An unhandled exception in a route: logged with its traceback, answered with a JSON 500.

    Starlette's own handler for this sits outside every middleware: its 500 would miss the
    security and CORS headers (a widget on another origin could not even read it and would
    think the server offline), and by re-raising it makes the server close the connection.
    Here, innermost, the 500 passes every guard on its way out like any other answer. An
    error after the answer has started cannot be answered any more and is re-raised.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error answering %s %s", scope["method"], scope["path"])
            if started:
                raise
            await send_json_error(
                send, 500, ["server"], "Internal error: please try again in a moment."
            )
