"""The desk's side: a forum topic per case with its card, the user's messages posted in it.

A Telegram adapter implements `DeskApi` (three Bot API calls); `sync` does the rest and
is safe to run from several workers at once: a topic is created by the worker that
claimed the case's `topic_id` (a conditional UPDATE from NULL to a placeholder), a
message is posted by the worker that claimed it (`cases.take_for_desk`). A topic that an
advisor deleted by hand ("message thread not found") is forgotten and recreated, with
its card, by the next sync; the message goes into the new topic, nothing is lost.

Blocking database work runs in a worker thread; the Bot API calls on the event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

import anyio.to_thread
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot import service
from bot.storage.models import Case
from bot.triage import cases

log = logging.getLogger(__name__)

T = TypeVar("T")
#: `topic_id` while a worker creates the topic (no real thread id is negative... or 0).
CREATING = 0


class DeskApi(Protocol):
    """What `sync` needs from a Telegram library."""

    async def create_topic(self, chat_id: int, name: str) -> int:
        """createForumTopic; the new topic's message_thread_id."""

    async def post(
        self, chat_id: int, thread_id: int, text: str, buttons: list[tuple[str, str]]
    ) -> int:
        """sendMessage into the topic (inline keyboard from (key, label)); the message id."""

    def thread_missing(self, error: Exception) -> bool:
        """Whether the error says the topic no longer exists (deleted by hand)."""


async def _db(function: Callable[..., T], *args: object) -> T:
    return await anyio.to_thread.run_sync(lambda: function(*args))


def _claim_topic(case_id: int) -> Case | None:
    """Take the job of creating this case's topic (NULL → CREATING); the case if won."""
    with Session(service.engine()) as session:
        moved = session.execute(
            update(Case)
            .where(col(Case.id) == case_id, col(Case.topic_id).is_(None))
            .values(topic_id=CREATING)
        )
        session.commit()
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.get(Case, case_id)


def _set_topic(case_id: int, topic_id: int | None, card_message_id: int | None) -> None:
    with Session(service.engine()) as session:
        session.execute(
            update(Case)
            .where(col(Case.id) == case_id)
            .values(topic_id=topic_id, card_message_id=card_message_id)
        )
        session.commit()


def _without_topic() -> list[int]:
    with Session(service.engine()) as session:
        query = select(Case.id).where(
            col(Case.topic_id).is_(None), col(Case.status).in_(cases.ACTIVE)
        )
        return [int(i) for i in session.exec(query).all() if i is not None]


def _waiting() -> list[tuple[int, int, str, str, int | None]]:
    """(message id, case id, sender, text, topic id) of messages waiting for the desk."""
    with Session(service.engine()) as session:
        found = []
        for message in cases.waiting_for_desk(session):
            case = session.get(Case, message.case_id)
            topic = case.topic_id if case is not None else None
            found.append((message.id or 0, message.case_id, message.sender, message.text, topic))
        return found


def _take(message_id: int) -> bool:
    with Session(service.engine()) as session:
        taken = cases.take_for_desk(session, message_id)
        session.commit()
        return taken


def _give_back(message_id: int) -> None:
    with Session(service.engine()) as session:
        cases.give_back(session, message_id)
        session.commit()


async def open_topics(api: DeskApi, chat_id: int, lang: str) -> int:
    """Create the topic and post the card of every active case without one; how many."""
    from dialogs import handoff

    made = 0
    for case_id in await _db(_without_topic):
        case = await _db(_claim_topic, case_id)
        if case is None:
            continue  # another worker is on it
        try:
            topic = await api.create_topic(chat_id, handoff.topic_name(lang, case.card, case.code))
            buttons = [(b.key, b.label) for b in handoff.card_buttons(lang, case.code)]
            card = handoff.card_text(lang, case.card, case.code, case.owner)
            card_id = await api.post(chat_id, topic, card, buttons)
        except Exception:
            log.exception("could not open the desk topic of case %s", case.code)
            await _db(_set_topic, case_id, None, None)  # the next sync tries again
            continue
        await _db(_set_topic, case_id, topic, card_id)
        made += 1
    return made


async def sync(api: DeskApi, chat_id: int, lang: str, *, again: bool = True) -> int:
    """Open the missing topics, then post the waiting messages; how many were posted."""
    from dialogs import handoff

    await open_topics(api, chat_id, lang)
    posted = 0
    for message_id, case_id, sender, text, topic in await _db(_waiting):
        if topic is None or topic == CREATING:
            continue  # its topic is being made: the next sync posts it
        if not await _db(_take, message_id):
            continue
        try:
            await api.post(chat_id, topic, handoff.desk_line(lang, sender, text), [])
        except Exception as error:
            await _db(_give_back, message_id)
            if api.thread_missing(error):
                log.warning("desk topic %s was deleted: it is recreated", topic)
                await _db(_set_topic, case_id, None, None)
                await open_topics(api, chat_id, lang)
                if again:  # once: a topic deleted over and over waits for the next sync
                    return posted + await sync(api, chat_id, lang, again=False)
                return posted
            log.exception("could not post message %s to the desk", message_id)
            continue
        posted += 1
    return posted
