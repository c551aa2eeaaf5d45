"""Retention: what is older than the retention period goes (`leenwijzer db purge`).

Nothing is kept for ever. Older than the cutoff (default `LEENWIJZER_RETENTION_DAYS`,
180 days) means:

- a conversation whose last turn (`updated_at`) is older, whatever its state (finished,
  abandoned half-way, waiting): its user starts afresh next time;
- a receipt (`results`) written before the cutoff;
- a processed update id: Telegram never redelivers an update after 24 hours (it keeps
  undelivered updates that long at most), so an id older than a day can no longer come
  back as a duplicate and the inbox does not need it;
- an outbox row delivered or abandoned before the cutoff; undelivered ones are kept,
  whatever their age, so nothing a user is owed is dropped silently;
- a stored web turn (the answer kept for a retry) written before the cutoff.

`leenwijzer serve` runs it once at start and then daily (`purge_periodically`). On SQLite
the write-ahead log is checkpointed afterwards, so the deleted rows leave the `-wal` file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta

import anyio
import anyio.to_thread
from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from bot.storage import outbox, web_turns
from bot.storage.engine import checkpoint_wal
from bot.storage.models import Conversation, ProcessedUpdate, Result

log = logging.getLogger(__name__)

DAY = 24 * 3600.0


@dataclass(frozen=True)
class PurgeCounts:
    """How many rows of each kind one purge removed."""

    conversations: int
    receipts: int
    processed_updates: int
    outbox: int
    web_turns: int

    @property
    def total(self) -> int:
        return sum(astuple(self))

    def __str__(self) -> str:
        return (
            f"{self.conversations} conversations, {self.receipts} receipts, "
            f"{self.processed_updates} processed updates, {self.outbox} outbox rows, "
            f"{self.web_turns} web turns"
        )


def cutoff(older_than_days: int, now: datetime | None = None) -> datetime:
    """The moment before which rows go; refuses a retention under a day.

    A day is the floor because processed update ids must outlive Telegram's 24-hour
    redelivery window, and a conversation in progress must not vanish mid-sentence.
    """
    if older_than_days < 1:
        raise ValueError(f"the retention must be at least 1 day, not {older_than_days}")
    return (now or datetime.now(UTC)) - timedelta(days=older_than_days)


def purge(engine: Engine, older_than_days: int, *, now: datetime | None = None) -> PurgeCounts:
    """Delete what is older than `older_than_days` (see the module); the counts.

    Blocking (database I/O): call it from a worker thread in async code.
    """
    before = cutoff(older_than_days, now)
    with Session(engine) as session:
        conversations = session.execute(
            delete(Conversation).where(col(Conversation.updated_at) < before)
        ).rowcount  # type: ignore[attr-defined]
        receipts = session.execute(delete(Result).where(col(Result.created_at) < before)).rowcount  # type: ignore[attr-defined]
        updates = session.execute(
            delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before)
        ).rowcount  # type: ignore[attr-defined]
        session.commit()
    counts = PurgeCounts(
        conversations=int(conversations or 0),
        receipts=int(receipts or 0),
        processed_updates=int(updates or 0),
        outbox=outbox.prune(engine, before),
        web_turns=web_turns.prune(engine, before),
    )
    checkpoint_wal(engine)
    return counts


PurgeFn = Callable[[Engine, int], PurgeCounts]


async def purge_periodically(
    engine: Callable[[], Engine],
    older_than_days: int,
    *,
    every: float = DAY,
    purge_fn: PurgeFn = purge,
) -> None:
    """Purge now and then every `every` seconds, until cancelled; never raises otherwise.

    `engine` is asked for on each run (the service's engine may be reconfigured). A
    failing purge is logged and tried again at the next run: the server goes on.
    """
    while True:
        try:
            counts = await anyio.to_thread.run_sync(purge_fn, engine(), older_than_days)
        except Exception:
            log.exception("retention purge failed; trying again in %.0f s", every)
        else:
            log.info("retention purge (older than %d days): removed %s", older_than_days, counts)
        await anyio.sleep(every)


def run_purge(older_than_days: int | None) -> int:
    """`leenwijzer db purge [--older-than DAYS]`: migrate, purge, print the counts.

    Without `older_than_days` the retention comes from the settings
    (`LEENWIJZER_RETENTION_DAYS`).
    """
    from bot.settings import get_settings
    from bot.storage.engine import make_engine
    from bot.storage.migrations import upgrade

    settings = get_settings()
    days = older_than_days if older_than_days is not None else settings.retention_days
    url = settings.effective_database_url
    engine = make_engine(url)
    try:
        upgrade(url, engine=engine)
        counts = purge(engine, days)
    finally:
        engine.dispose()
    print(f"removed (older than {days} days): {counts}")
    return 0
