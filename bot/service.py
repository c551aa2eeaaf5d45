"""The one entry point every transport uses for a turn: `handle(channel, user_key, event)`.

Telegram and the web widget both call `handle`; it loads the conversation, applies the
dialog's pure `step`, saves the new state with an optimistic version check and returns
the replies. With an `update_id` the turn is recorded in the durable inbox in the same
transaction, so a redelivered update is answered once, and its replies are stored in the
outbox in that transaction too, so they survive a crash before they are sent (the
transport delivers them from there: see `bot.telegram.delivery`). Channels that answer in
the response to the request (the web) write no outbox entries. A turn that fails (a bug,
not the database) is answered with the dialog's apology and recorded as handled, on
every channel: see `bot.storage.turns`.

The database work is synchronous SQLAlchemy run in a worker thread, off the event loop.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import anyio.to_thread
from sqlalchemy import Engine, text

from bot.storage.engine import make_engine
from bot.storage.migrations import upgrade
from bot.storage.turns import ApologyFunction, StepFunction, run_turn
from bot.triage.cases import new_code
from bot.triage.route import DeskConfig, TriageHook
from dialogs.events import Event, Reply


@dataclass(frozen=True)
class TurnResult:
    """What a transport needs after a turn.

    `duplicate` is true when the update id was already processed (no replies then) or
    the turn id already answered (that answer's replies then);
    `new_conversation` when this turn created the conversation (first contact, or after
    /forget erased the previous one); `outbox_id` the outbox entry holding the replies,
    for the transport to deliver and mark.
    """

    replies: list[Reply]
    lang: str
    done: bool
    duplicate: bool
    new_conversation: bool
    outbox_id: int | None = None


#: Channels whose replies travel back in the response to the request itself: nothing is
#: left to deliver after the turn, so they get no outbox entries.
REPLIES_IN_RESPONSE = frozenset({"web"})


_lock = threading.Lock()
_engine: Engine | None = None
_step: StepFunction | None = None
_desk: DeskConfig | None = None
_UNSET: Any = object()


def configure(
    database_url: str | None = None,
    *,
    step: StepFunction | None = None,
    desk: DeskConfig | None = _UNSET,
) -> None:
    """(Re)bind the engine, default URL from the settings, and apply pending migrations.

    `step` replaces the dialog's step function (tests use a tiny fake); by default
    `dialogs.step` is used. `desk` is the triage desk (default: from the settings, None
    when LEENWIJZER_DESK_CHAT_ID is unset): with one, "Talk to an advisor" asks consent
    and opens a case, and the turns of a user with an open case go to the desk.
    """
    global _engine, _step, _desk
    if desk is _UNSET:
        desk = desk_from_settings()
    if database_url is None:
        from bot.settings import get_settings

        database_url = get_settings().effective_database_url
    engine = make_engine(database_url)
    upgrade(database_url, engine=engine)
    with _lock:
        old, _engine = _engine, engine
        _step = step
        _desk = desk
    if old is not None:
        old.dispose()


def engine() -> Engine:
    """The configured engine, configuring from the settings on first use."""
    if _engine is None:
        with _lock:
            needs_configure = _engine is None
        if needs_configure:
            configure()
    assert _engine is not None
    return _engine


def desk_from_settings() -> DeskConfig | None:
    """The desk the settings describe, or None without LEENWIJZER_DESK_CHAT_ID."""
    from bot.settings import get_settings

    settings = get_settings()
    if settings.desk_chat_id is None:
        return None
    return DeskConfig(
        chat_id=settings.desk_chat_id,
        name=settings.desk_name,
        hours=settings.desk_office_hours,
        response_minutes=settings.desk_response_minutes,
        lang=settings.desk_lang,
    )


def desk() -> DeskConfig | None:
    """The configured desk, if any."""
    return _desk


def _step_function() -> StepFunction:
    if _step is not None:
        return _step
    # Imported late: the dialog engine is loaded only when a turn needs it.
    if _desk is None:
        return cast(StepFunction, importlib.import_module("dialogs").step)
    handoff = importlib.import_module("dialogs.handoff")
    config = _desk

    def step_with_desk(
        state: dict[str, Any] | None, event: Event, now: datetime
    ) -> tuple[dict[str, Any], list[Reply]]:
        # A fresh code per call: a turn re-run after a code clash draws another one.
        now_desk = handoff.Desk(config.name, config.hours, config.response_minutes, new_code())
        return cast(tuple[dict[str, Any], list[Reply]], handoff.step(state, event, now, now_desk))

    return step_with_desk


def _apology(state: dict[str, Any] | None, event: Event, now: datetime) -> list[Reply]:
    """The dialog's apology for a turn that failed (also with an injected step); the
    dialog engine is imported only when one does."""
    apology = cast(ApologyFunction, importlib.import_module("dialogs").apology)
    return apology(state, event, now)


def handle_sync(
    channel: str,
    user_key: str,
    event: Event,
    *,
    update_id: str | None = None,
    now: datetime | None = None,
    turn_id: str | None = None,
) -> TurnResult:
    """`handle`, blocking: for callers that already run in a worker thread."""
    outcome = run_turn(
        engine(),
        _step_function(),
        channel,
        user_key,
        event,
        update_id=update_id,
        now=now or datetime.now(UTC),
        outbox=update_id is not None and channel not in REPLIES_IN_RESPONSE,
        turn_id=turn_id,
        apology=_apology,
        hook=TriageHook(_desk) if _desk is not None else None,
    )
    state: dict[str, Any] = outcome.state
    return TurnResult(
        replies=outcome.replies,
        lang=str(state.get("lang") or event.lang or "en"),
        done=bool(state.get("done", False)),
        duplicate=outcome.duplicate,
        new_conversation=outcome.new_conversation,
        outbox_id=outcome.outbox_id,
    )


async def handle(
    channel: str,
    user_key: str,
    event: Event,
    *,
    update_id: str | None = None,
    now: datetime | None = None,
    turn_id: str | None = None,
) -> TurnResult:
    """Apply one event to the conversation of (`channel`, `user_key`) and return the replies.

    Two quick events of the same user never lose an answer (the later one is re-applied
    on top of the earlier one); the same `update_id` twice is answered once. A turn with
    an `update_id` (outside the web channel) stores its replies in the outbox: the caller
    must deliver them through it (or they are resent by the next worker's sweep).
    A client's `turn_id` (the web's `turn`) already answered for this user gets that
    answer again (`duplicate`), without the event being applied a second time.
    """
    return await anyio.to_thread.run_sync(
        lambda: handle_sync(channel, user_key, event, update_id=update_id, now=now, turn_id=turn_id)
    )


def _ping() -> bool:
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


async def healthcheck() -> bool:
    """Whether the database answers a trivial query."""
    return await anyio.to_thread.run_sync(_ping)
