"""Whether a web session id names a stored conversation: a read-only check before a turn.

The chat contract says an unknown or expired session starts a new conversation. The web
edge must therefore never adopt an id the client made up (or one whose conversation was
erased by /forget) as a conversation key: before the turn it asks here, and when there
is no stored conversation it mints a fresh id of its own instead.

Only reads: the single writer of conversations stays `bot.storage.turns.run_turn`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio.to_thread
from sqlmodel import Session, select

from bot.storage.models import Conversation

#: `(channel, user_key) -> bool`: injectable so tests with a fake `handle` fake it too.
SessionExistsFn = Callable[[str, str], Awaitable[bool]]


def conversation_exists_sync(channel: str, user_key: str) -> bool:
    """Whether (`channel`, `user_key`) has a conversation row (one indexed lookup)."""
    from bot.service import engine

    query = (
        select(Conversation.id)
        .where(Conversation.channel == channel, Conversation.user_key == user_key)
        .limit(1)
    )
    with Session(engine()) as session:
        return session.exec(query).first() is not None


async def conversation_exists(channel: str, user_key: str) -> bool:
    """`conversation_exists_sync` in a worker thread, off the event loop."""
    return await anyio.to_thread.run_sync(conversation_exists_sync, channel, user_key)
