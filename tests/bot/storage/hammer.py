"""A worker process for the concurrency test: delivers every update of a shared list.

Each worker gets the same updates in its own shuffled order, so every update reaches the
database several times, concurrently, from different processes and engines.
"""

from __future__ import annotations

import random

from bot import service
from dialogs.events import Event
from tests.bot.storage import fake_step


def updates(conversations: int, per_conversation: int) -> list[tuple[str, str]]:
    """(user key, update id) pairs; the update id is also the text the user sends."""
    return [
        (f"user{c}", f"user{c}-{i}") for c in range(conversations) for i in range(per_conversation)
    ]


def work(
    database_url: str, seed: int, todo: list[tuple[str, str]]
) -> list[tuple[str, list[str], bool]]:
    """Deliver every update; return (update id, reply texts, duplicate) per delivery."""
    service.configure(database_url, step=fake_step.step)  # migrations race here too
    order = list(todo)
    random.Random(seed).shuffle(order)
    seen = []
    for user_key, update_id in order:
        result = service.handle_sync(
            "telegram", user_key, Event.typed(update_id), update_id=update_id
        )
        seen.append((update_id, [r.text for r in result.replies], result.duplicate))
    service.engine().dispose()
    return seen
