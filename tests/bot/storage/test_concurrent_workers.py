"""Several worker processes hammering the same conversations: nothing lost, nothing doubled."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from sqlmodel import Session, select

from bot.storage.engine import make_engine
from bot.storage.models import Conversation, OutboxEntry
from tests.bot.storage import hammer

WORKERS = 4
CONVERSATIONS = 3
PER_CONVERSATION = 12


def test_concurrent_workers_lose_no_answer_and_answer_each_update_once(database_url: str) -> None:
    todo = hammer.updates(CONVERSATIONS, PER_CONVERSATION)
    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = list(
            pool.map(hammer.work, [database_url] * WORKERS, range(WORKERS), [todo] * WORKERS)
        )
    deliveries = [delivery for run in runs for delivery in run]
    assert len(deliveries) == WORKERS * len(todo)

    answered = Counter(update_id for update_id, replies, _ in deliveries if replies)
    assert answered == Counter(update_id for _, update_id in todo)  # each exactly once
    assert all(duplicate == (not replies) for _, replies, duplicate in deliveries)

    engine = make_engine(database_url)
    with Session(engine) as session:
        saved = {c.user_key: c for c in session.exec(select(Conversation)).all()}
        stored = list(session.exec(select(OutboxEntry)).all())
    engine.dispose()
    # The outbox holds each update's replies once, exactly the replies that were returned.
    returned = {update_id: replies for update_id, replies, _ in deliveries if replies}
    assert Counter(str(e.update_id) for e in stored) == Counter(u for _, u in todo)
    assert all([r["text"] for r in e.replies] == returned[str(e.update_id)] for e in stored)
    for user_key, conversation in saved.items():
        expected = sorted(u for k, u in todo if k == user_key)
        assert sorted(conversation.state["answers"]) == expected  # none lost, none twice
        assert conversation.version == PER_CONVERSATION

    # Each reply names the answer's position: positions 1..N each given out exactly once.
    positions = Counter(
        (update_id.split("-")[0], replies[0].split(":")[1])
        for update_id, replies, _ in deliveries
        if replies
    )
    assert set(positions.values()) == {1}
    assert len(positions) == CONVERSATIONS * PER_CONVERSATION
