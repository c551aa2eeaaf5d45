"""The JSON API routes: `POST /api/v1/evaluate` and `POST /api/v1/chat`.

Both speak the shared contracts (`evaluate-json.md`, `chat-json.md`). The routes only
translate HTTP to the rules core / the conversation service and back: no rule and no
wording lives here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Sequence
from typing import Any, Protocol

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from bot.web.models import SESSION_PATTERN, ChatRequest, ChatResponse, ErrorBody, StartEvent
from bot.web.sessions import SessionExistsFn
from dialogs.events import Event, Reply
from rules import REGIMES

SESSION_COOKIE = "leenwijzer_session"
SESSION_COOKIE_MAX_AGE = 30 * 24 * 3600
WEB_CHANNEL = "web"


class TurnResultLike(Protocol):
    """What `bot.service.handle` returns, as far as the web edge reads it."""

    @property
    def replies(self) -> Sequence[Reply]: ...
    @property
    def lang(self) -> str: ...
    @property
    def done(self) -> bool: ...


class HandleFn(Protocol):
    """`bot.service.handle(channel, user_key, event, turn_id=…)`; injectable for tests."""

    def __call__(
        self, channel: str, user_key: str, event: Event, *, turn_id: str | None = None
    ) -> Awaitable[TurnResultLike]: ...


#: The error answers of both routes, all with the same body (documented in OpenAPI): the
#: 422 of the validation, and what the guards around the routes may answer instead.
EDGE_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "Body too large"},
    415: {"model": ErrorBody, "description": "Not JSON (Content-Type must be application/json)"},
    422: {
        "model": ErrorBody,
        "description": (
            "Invalid request, each problem named in `detail`: a bad or unknown field, or a "
            "body that is not a JSON object (not JSON, not UTF-8, nested too deeply)"
        ),
    },
    429: {"model": ErrorBody, "description": "Rate limited (see Retry-After)"},
    500: {"model": ErrorBody, "description": "Internal error"},
}


def field_loc(dotted: str) -> list[str | int]:
    """`borrower.partners[0].staff` / `borrower.partners.0.staff` → a pydantic-style loc."""
    loc: list[str | int] = []
    for part in re.split(r"[.\[\]]+", dotted):
        if part:
            loc.append(int(part) if part.isdigit() else part)
    return loc


def case_error_response(err: Exception, prefix: Sequence[str]) -> JSONResponse:
    """A rules `CaseError` as a field-level 422, one entry per offending field."""
    pairs: list[tuple[str, str]] = list(getattr(err, "errors", None) or [])
    if not pairs:
        pairs = [(str(getattr(err, "field", "") or ""), str(getattr(err, "message", err)))]
    detail = [
        {
            "loc": [*prefix, *field_loc("" if field == "(case)" else field)],
            "msg": str(message),
            "type": "value_error",
        }
        for field, message in pairs
    ]
    return JSONResponse(status_code=422, content={"detail": detail})


def new_session_id() -> str:
    """An unguessable session id (192 bits), in the alphabet SESSION_PATTERN accepts."""
    return secrets.token_urlsafe(24)


def claimed_session(body_session: str | None, cookie: str | None) -> str | None:
    """The session the client claims: the body's, else the cookie's when well-formed."""
    if body_session:
        return body_session
    if cookie and re.fullmatch(SESSION_PATTERN, cookie):
        return cookie
    return None


async def resolve_session(claimed: str | None, session_exists: SessionExistsFn) -> str:
    """The conversation key for this turn: the claimed one if stored, else a fresh one.

    A claimed id is kept only when a conversation is stored under it. Anything else (a
    made-up id, one from another server, one erased by /forget) gets a new id of ours,
    so a client can never choose the key its conversation is stored under. The dialog
    itself tells the user, on a non-start event without state, that the earlier
    conversation was not found. (If the conversation is erased between this check and
    the turn, the turn starts a new one under the claimed id, which we issued earlier.)
    """
    if claimed is not None and await session_exists(WEB_CHANNEL, claimed):
        return claimed
    return new_session_id()


EVALUATE_DESCRIPTION = (
    "Evaluate a case (the evaluate contract, leenwijzer.evaluate/1): per regime ("
    + ", ".join(regime.name for regime in REGIMES)
    + ") the verdict, the conditions with their status and source, the "
    "missing fields, the limits and, when eligible, the simulation. Money is strings. "
    "Invalid input gets 422 naming the field."
)
CHAT_DESCRIPTION = (
    "One turn of the conversation (the chat contract). Send the `session` returned by the "
    "previous turn (it is also set as an HttpOnly cookie). An unknown or expired session "
    "starts a new conversation and the first reply says so. Give every event a `turn` "
    "id and resend the same request when the answer is lost: it is applied once."
)


def build_api_router(
    handle: HandleFn, case_schema: dict[str, Any] | None, session_exists: SessionExistsFn
) -> APIRouter:
    """The `/api/v1` routes bound to a conversation `handle` and its `session_exists`."""
    from bot.web.documents import reply_json

    router = APIRouter(prefix="/api/v1")
    evaluate_extra: dict[str, Any] = {}
    if case_schema is not None:
        evaluate_extra = {
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": case_schema}},
            }
        }

    @router.post(
        "/evaluate",
        summary="Evaluate a case",
        description=EVALUATE_DESCRIPTION,
        openapi_extra=evaluate_extra,
        responses=EDGE_ERRORS,
    )
    def evaluate_case(case: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
        from rules import CaseError, evaluate, parse_case

        try:
            parsed = parse_case(case)
        except CaseError as err:
            return case_error_response(err, ["body"])
        return JSONResponse(evaluate(parsed))

    @router.post(
        "/chat",
        summary="One turn of the conversation",
        description=CHAT_DESCRIPTION,
        response_model=ChatResponse,
        response_model_exclude_none=True,
        responses=EDGE_ERRORS,
    )
    async def chat_turn(
        turn: ChatRequest, request: Request, response: Response
    ) -> ChatResponse | JSONResponse:
        if isinstance(turn.event, StartEvent) and turn.event.prefill:
            from rules import CaseError, parse_case

            try:
                parse_case(turn.event.prefill)
            except CaseError as err:
                return case_error_response(err, ["body", "event", "prefill"])
        claimed = claimed_session(turn.session, request.cookies.get(SESSION_COOKIE))
        session = await resolve_session(claimed, session_exists)
        event = turn.event.to_event(turn.lang)
        result = await handle(WEB_CHANNEL, session, event, turn_id=turn.turn)
        response.set_cookie(
            SESSION_COOKIE,
            session,
            max_age=SESSION_COOKIE_MAX_AGE,
            path="/api/v1/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return ChatResponse.model_validate(
            {
                "session": session,
                "lang": result.lang,
                "replies": [await reply_json(reply) for reply in result.replies],
                "done": result.done,
            }
        )

    return router
