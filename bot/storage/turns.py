"""One conversation turn as one transaction: inbox → load → step → save → outbox.

This is the only place that writes conversation state. The dialog's `step` is pure, so
re-applying it after a lost race is safe: on a version conflict the turn is rolled back,
the newer state reloaded and the same event applied to it again.

With `outbox=True` the replies are written to the outbox in the same transaction, so a
worker that dies after the commit and before sending leaves them for the next one (see
`bot.storage.outbox`); a redelivered update is still a duplicate and adds nothing.

With a client's `turn_id` (the web's `turn`), the answer is stored with the turn as well,
and the same id again gets that answer back without the event being applied again (see
`bot.storage.web_turns`).

A turn that fails for any reason but the database (a bug in `step`, an answer nobody
foresaw) must not become an update that fails again on every redelivery: it is logged
once, rolled back, and then recorded as handled with the dialog's apology as its replies
(`_apologise`), the conversation left as it was. A database error still propagates, so
the transport answers 500 and the update comes back when the database does.
"""

from __future__ import annotations

import copy
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Engine, delete, insert, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, col, select

from bot.storage import web_turns
from bot.storage.engine import checkpoint_wal
from bot.storage.models import Conversation, OutboxEntry, ProcessedUpdate, Result, utcnow
from bot.storage.outbox import delete_user as delete_outbox_of_user
from bot.storage.outbox import replies_to_json
from dialogs.events import ERASE_KEY, RECEIPT_KEY, Event, Reply
from rules import inputs_hash

log = logging.getLogger(__name__)

State = dict[str, Any]
StepFunction = Callable[[State | None, Event, datetime], tuple[State, list[Reply]]]
#: The replies for a turn whose step failed, given the unchanged state (`dialogs.apology`).
ApologyFunction = Callable[[State | None, Event, datetime], list[Reply]]

#: How often a turn is re-applied after losing a race before giving up. Each retry means
#: another worker committed a turn of the same user, so the system as a whole progresses.
MAX_ATTEMPTS = 50


class TurnHook(Protocol):
    """What triage adds to a turn, in the turn's transaction (`bot.triage.route`).

    `route` may answer the event itself (the user is talking to an advisor), else None
    and the dialog answers; `after_step` reads the markers the dialog left in the new
    state (removing them); `erase` runs with the /forget erasure.
    """

    def route(
        self,
        session: Session,
        channel: str,
        user_key: str,
        state: State | None,
        event: Event,
        now: datetime,
        step: StepFunction,
    ) -> tuple[State, list[Reply]] | None: ...

    def after_step(
        self, session: Session, channel: str, user_key: str, state: State, replies: list[Reply]
    ) -> None: ...

    def erase(self, session: Session, channel: str, user_key: str) -> None: ...


class TurnConflict(RuntimeError):
    """The same conversation kept changing under this turn; it was not applied."""


@dataclass(frozen=True)
class TurnOutcome:
    """What one turn did: the replies to send and the state it left behind.

    `outbox_id` is the outbox entry holding the replies, when the turn wrote one.
    """

    replies: list[Reply]
    state: dict[str, Any]
    duplicate: bool
    new_conversation: bool
    erased: bool
    outbox_id: int | None = None


def run_turn(
    engine: Engine,
    step: StepFunction,
    channel: str,
    user_key: str,
    event: Event,
    *,
    update_id: str | None,
    now: datetime,
    outbox: bool = False,
    turn_id: str | None = None,
    apology: ApologyFunction | None = None,
    hook: TurnHook | None = None,
) -> TurnOutcome:
    """Apply `event` to the user's conversation, exactly once per `update_id`.

    With `outbox`, the replies are also stored as an outbox entry in the same
    transaction. With `turn_id`, the answer is stored under it, and a turn id already
    answered for this user gets that answer again (`duplicate`), the event not applied.
    With `apology`, a turn that raises anything but a database error is answered with
    `apology(state, event, now)` instead (see the module docstring); without it the
    error propagates. Blocking (database I/O): call it from a worker thread in async code.
    """
    for attempt in range(MAX_ATTEMPTS):
        try:
            outcome = _attempt(
                engine, step, channel, user_key, event, update_id, now, outbox, turn_id, hook
            )
        except _LostRace:
            _backoff(attempt)
            continue
        except OperationalError as error:  # SQLite "database is locked" under heavy load
            if "locked" not in str(error).lower():
                raise
            _backoff(attempt)
            continue
        except DBAPIError:
            raise
        except Exception:
            if apology is None:
                raise
            log.exception(
                "turn failed on channel %s, update %s: answered with an apology, "
                "the conversation unchanged",
                channel,
                update_id,
            )
            return _apologise(
                engine, apology, channel, user_key, event, update_id, now, outbox, turn_id
            )
        if outcome.erased:
            checkpoint_wal(engine)  # the erased answers must leave SQLite's -wal file too
        return outcome
    raise TurnConflict(f"{channel}:{user_key}: gave up after {MAX_ATTEMPTS} attempts")


class _LostRace(Exception):
    """Another worker saved this conversation (or created it) first."""


def _backoff(attempt: int) -> None:
    """A short random pause, growing with the attempts, so racing workers spread out."""
    time.sleep(random.uniform(0, min(0.002 * (2**attempt), 0.1)))


def _attempt(
    engine: Engine,
    step: StepFunction,
    channel: str,
    user_key: str,
    event: Event,
    update_id: str | None,
    now: datetime,
    outbox: bool,
    turn_id: str | None = None,
    hook: TurnHook | None = None,
) -> TurnOutcome:
    with Session(engine) as session:
        if update_id is not None:
            session.add(ProcessedUpdate(channel=channel, update_id=update_id))
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                return _duplicate(session, channel, user_key)
        if turn_id is not None:
            stored = web_turns.find(session, channel, user_key, turn_id)
            if stored is not None:
                return _replayed(stored)
        row = _load(session, channel, user_key)
        old_state = copy.deepcopy(row.state) if row is not None else None
        old_version = row.version if row is not None else 0
        routed = None
        if hook is not None:
            routed = _hooked(session, hook.route, channel, user_key, old_state, event, now, step)
        new_state, replies = routed if routed is not None else step(old_state, event, now)
        new_state = dict(new_state)
        receipt = new_state.pop(RECEIPT_KEY, None)
        if hook is not None and not new_state.get(ERASE_KEY):
            _hooked(session, hook.after_step, channel, user_key, new_state, replies)
        if new_state.get(ERASE_KEY):
            _erase(session, channel, user_key)
            if hook is not None:
                hook.erase(session, channel, user_key)
            # The confirmation itself still has to arrive: it is the one entry left.
            entry_id = _store_replies(session, channel, user_key, update_id, replies, outbox)
            session.commit()
            # nothing is kept, but the confirmation is in the language just used
            return TurnOutcome(
                replies, {"lang": new_state.get("lang")}, False, row is None, True, entry_id
            )
        if receipt is not None:
            session.add(_result_row(channel, user_key, receipt))
        lang = new_state.get("lang")
        if row is None:
            session.add(
                Conversation(channel=channel, user_key=user_key, lang=lang, state=new_state)
            )
            try:
                session.flush()
            except IntegrityError as error:
                session.rollback()
                raise _LostRace from error
        else:
            saved = session.execute(
                update(Conversation)
                .where(Conversation.id == row.id, Conversation.version == old_version)  # type: ignore[arg-type]
                .values(state=new_state, lang=lang, version=old_version + 1, updated_at=utcnow())
            )
            if saved.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                raise _LostRace
        if turn_id is not None:
            _record_turn(session, channel, user_key, turn_id, replies, new_state)
        # After the save: the conversation row is locked now, so a user's entries get
        # increasing ids in the order their turns commit.
        entry_id = _store_replies(session, channel, user_key, update_id, replies, outbox)
        session.commit()
        return TurnOutcome(replies, new_state, False, row is None, False, entry_id)


def _hooked(session: Session, function: Callable[..., Any], *args: Any) -> Any:
    """Call a hook; a unique constraint it hit (a case code or message number taken by a
    concurrent turn) is a lost race like any other: the turn is rolled back and re-run."""
    try:
        return function(session, *args)
    except IntegrityError as error:
        session.rollback()
        raise _LostRace from error


def _apologise(
    engine: Engine,
    apology: ApologyFunction,
    channel: str,
    user_key: str,
    event: Event,
    update_id: str | None,
    now: datetime,
    outbox: bool,
    turn_id: str | None = None,
) -> TurnOutcome:
    """Record a failed turn as handled: the update id in the inbox (or the apology under
    the client's turn id), the apology in the outbox, the conversation as it was (so a
    redelivery or a retried web turn gets the same answer, never a second try)."""
    with Session(engine) as session:
        if update_id is not None:
            session.add(ProcessedUpdate(channel=channel, update_id=update_id))
            try:
                session.flush()
            except IntegrityError:  # another worker handled it meanwhile
                session.rollback()
                return _duplicate(session, channel, user_key)
        if turn_id is not None:
            stored = web_turns.find(session, channel, user_key, turn_id)
            if stored is not None:
                return _replayed(stored)
        row = _load(session, channel, user_key)
        state = copy.deepcopy(row.state) if row is not None else None
        replies = apology(copy.deepcopy(state), event, now)
        if turn_id is not None:
            try:
                web_turns.record(
                    session, channel, user_key, turn_id, replies,
                    (state or {}).get("lang"), bool((state or {}).get("done", False)),
                )  # fmt: skip
            except IntegrityError:  # a concurrent twin answered it first
                session.rollback()
                stored = web_turns.find(session, channel, user_key, turn_id)
                if stored is not None:
                    return _replayed(stored)
                raise
        entry_id = _store_replies(session, channel, user_key, update_id, replies, outbox)
        session.commit()
        return TurnOutcome(replies, state or {}, False, False, False, entry_id)


def _store_replies(
    session: Session,
    channel: str,
    user_key: str,
    update_id: str | None,
    replies: list[Reply],
    outbox: bool,
) -> int | None:
    """Add the turn's outbox entry (when asked and there is something to say); its id."""
    if not outbox or not replies:
        return None
    now = utcnow()
    parameters = {
        "channel": channel,
        "user_key": user_key,
        "update_id": update_id,
        "replies": replies_to_json(replies),
        "parts_sent": 0,
        "attempts": 0,
        "created_at": now,
        "claimed_at": now,
    }
    # On the Core connection: the ORM session's execute path costs more than the write.
    return session.connection().execute(_INSERT_OUTBOX, parameters).scalar_one()


#: Built once: on every turn, a fresh `insert().values()` cost more than the write itself.
_INSERT_OUTBOX = insert(OutboxEntry).returning(col(OutboxEntry.id))


def _load(session: Session, channel: str, user_key: str) -> Conversation | None:
    """The user's conversation row, if any."""
    query = select(Conversation).where(
        Conversation.channel == channel, Conversation.user_key == user_key
    )
    return session.exec(query).first()


def _duplicate(session: Session, channel: str, user_key: str) -> TurnOutcome:
    """The outcome for an update already processed: no replies, the current state."""
    row = _load(session, channel, user_key)
    state = copy.deepcopy(row.state) if row is not None else {}
    return TurnOutcome([], state, True, False, False)


def _replayed(stored: web_turns.StoredTurn) -> TurnOutcome:
    """The outcome for a turn id already answered: that answer again, nothing applied."""
    state = {"lang": stored.lang, "done": stored.done}
    return TurnOutcome(stored.replies, state, True, False, False)


def _record_turn(
    session: Session,
    channel: str,
    user_key: str,
    turn_id: str,
    replies: list[Reply],
    state: State,
) -> None:
    """Store the turn's answer under its id; a concurrent twin that stored it first wins."""
    try:
        web_turns.record(
            session,
            channel,
            user_key,
            turn_id,
            replies,
            state.get("lang"),
            bool(state.get("done", False)),
        )
    except IntegrityError as error:
        session.rollback()
        raise _LostRace from error


def _erase(session: Session, channel: str, user_key: str) -> None:
    """Delete every row of this user: the conversation, the receipts, the outbox, the
    stored web turns."""
    session.execute(
        delete(Conversation).where(
            Conversation.channel == channel,  # type: ignore[arg-type]
            Conversation.user_key == user_key,  # type: ignore[arg-type]
        )
    )
    session.execute(
        delete(Result).where(
            Result.channel == channel,  # type: ignore[arg-type]
            Result.user_key == user_key,  # type: ignore[arg-type]
        )
    )
    delete_outbox_of_user(session, channel, user_key)
    web_turns.delete_user(session, channel, user_key)


def _result_row(channel: str, user_key: str, receipt: dict[str, Any]) -> Result:
    """A results row from the dialog's receipt (rules_version, closing_date, case, verdicts)."""
    closing = receipt.get("closing_date")
    if isinstance(closing, str):
        closing = date.fromisoformat(closing)
    elif isinstance(closing, datetime):
        closing = closing.date()
    return Result(
        channel=channel,
        user_key=user_key,
        rules_version=str(receipt.get("rules_version", "")),
        closing_date=closing if isinstance(closing, date) else None,
        inputs_hash=inputs_hash(receipt.get("case", {})),
        verdicts=json.loads(json.dumps(receipt.get("verdicts", {}), default=str)),
    )
