"""Delivering replies from the outbox: per chat, in order, each message marked once accepted.

A turn stores its replies in the outbox in its own transaction (`bot.storage.outbox`);
the `Courier` sends them afterwards and records progress after every message Telegram
accepted. What a worker could not send — it crashed, was killed, or Telegram kept
failing — is still in the outbox: every runner sweeps it on start and then every
`sweep_every` seconds, and sends the entries that nobody has touched for `resend_after`
seconds (the grace period), so a dead worker's replies arrive through the next one.

Guarantees and their limits:

- Nothing acknowledged is lost: once a turn has committed, its replies are sent by this
  worker or, after the grace period, by any other.
- Nothing is sent twice by two workers: an entry is claimed (compare-and-set on its
  `attempts`) before it is sent, and each accepted message renews the claim. This holds
  as long as one Bot API call, 429 waits included, is shorter than `resend_after`.
- In order per chat, across workers: only a chat's oldest pending entry may be sent.
  A worker (one delivery per chat at a time, under a per-chat lock) claims the oldest
  and sends it, then the next, and reads the chat's entries again when it has none
  left, so a newer entry that another worker's turn wrote meanwhile is sent by the
  worker holding the chat, right after the older one; the other worker, finding an
  older entry held, leaves its own. An entry nobody has taken yet may be taken by any
  worker (the claim decides), the turn's worker has no privilege. The price: behind
  the entry of a worker that died, the chat's newer replies wait with it for the
  grace period and the next sweep. A failed entry is released, and the next delivery
  in that chat (or sweep) retries it before anything newer.
- At least once, not exactly once, in one window: if the worker dies (or the database
  fails) after Telegram accepted a message and before `parts_sent` recorded it, that one
  message is sent again by the next worker. The window is one message wide, the time of
  one small UPDATE; closing it would need Telegram to de-duplicate sends, which it does
  not offer.
- The edit that shows a pressed button's choice is cosmetic and not in the outbox: after
  a crash the replies are resent, the edit is not.
- A 429 is waited out by the library a few times; when it gives up, this worker sends
  nothing (to any chat) until the last 429's `retry_after` is over, then retries the
  released entry itself. The wait is per worker: another worker learns of the flood
  limit from its own 429.
- An entry still failing after `MAX_DELIVERY_ATTEMPTS` claims is abandoned (logged); a
  user who blocked the bot or deleted the chat has all their pending entries abandoned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import anyio.to_thread

from bot import service
from bot.storage import outbox
from bot.storage.models import utcnow
from bot.storage.outbox import PendingEntry
from bot.telegram.render import Outgoing, render

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds an entry stays with the worker that claimed it before another may send it.
RESEND_AFTER_SECONDS = 60.0
#: Seconds between two sweeps of the outbox.
SWEEP_EVERY_SECONDS = 15.0
#: Claims after which an entry that keeps failing is given up.
MAX_DELIVERY_ATTEMPTS = 5
#: Users whose stale entries one sweep handles (the next sweep continues).
SWEEP_BATCH = 100
#: How long delivered and abandoned entries are kept before a sweep deletes them.
KEEP_DONE = timedelta(days=1)

SendFn = Callable[[int, Outgoing], Awaitable[None]]
GoneFn = Callable[[Exception], bool]
RetryAfterFn = Callable[[Exception], float | None]
BeforeFn = Callable[[], Awaitable[None]]


class Courier:
    """Sends a channel's outbox entries for one runner; safe to run in several workers."""

    def __init__(
        self,
        channel: str,
        send: SendFn,
        is_gone: GoneFn,
        *,
        retry_after: RetryAfterFn | None = None,
        resend_after: float = RESEND_AFTER_SECONDS,
        sweep_every: float = SWEEP_EVERY_SECONDS,
    ) -> None:
        """`retry_after` tells the seconds a send's error (a 429) asks to wait, else None."""
        self.channel = channel
        self.resend_after = timedelta(seconds=resend_after)
        self.sweep_every = sweep_every
        self._send = send
        self._is_gone = is_gone
        self._retry_after = retry_after or (lambda _error: None)
        # No Bot API call before this `time.monotonic()`: a 429's retry_after.
        self._quiet_until = 0.0
        # Per chat: the delivery that runs again once a 429's retry_after is over, while
        # it waits; and every such retry until it is done (what `stop` waits for).
        self._retries: dict[int, asyncio.Task[None]] = {}
        self._retrying: set[asyncio.Task[None]] = set()
        # Per chat: the lock keeping its messages in order, and how many wait for it.
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._stopping = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Send what earlier workers left behind, then keep sweeping in the background."""
        await self.sweep()
        self._stopping.clear()
        self._sweeper = asyncio.create_task(self._sweep_periodically())

    async def stop(self) -> None:
        """Stop sweeping and retrying; a sweep or retry under way finishes first.

        A retry still waiting for its 429 to pass is dropped: its entry is released, so
        the next worker's sweep sends it.
        """
        self._stopping.set()
        if self._sweeper is not None:
            await self._sweeper
            self._sweeper = None
        while self._retrying:
            await asyncio.gather(*self._retrying, return_exceptions=True)

    async def _sweep_periodically(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.sweep_every)
            if self._stopping.is_set():
                return
            await self.sweep()

    # -- delivering -----------------------------------------------------------------

    async def deliver(
        self, chat_id: int, own_entry: int | None, before: BeforeFn | None = None
    ) -> None:
        """Send the chat's pending entries in order, as far as this worker may.

        `own_entry` is the turn just run (None after a duplicate or in a sweep): it is
        sent here, or by the worker holding an older entry of the chat, right after that
        one. `before` runs first under the chat's lock (the edit of a pressed question).
        Never raises: failures are logged and the entries stay for a later attempt.
        """
        async with self._chat_lock(chat_id):
            try:
                if before is not None:
                    await self._quiet()
                    await before()
                await self._deliver_pending(chat_id, own_entry)
            except Exception as error:
                if self._is_gone(error):
                    await self._give_up_on_chat(chat_id, error)
                else:
                    log.exception("delivery to chat %s failed", chat_id)

    async def sweep(self) -> int:
        """Send every entry whose grace period is over; how many chats were visited.

        Also deletes entries delivered or abandoned longer than `KEEP_DONE` ago.
        """
        try:
            cutoff = utcnow() - self.resend_after
            users = await _db(outbox.users_with_stale, self.channel, cutoff, SWEEP_BATCH)
            for user_key in users:
                await self.deliver(int(user_key), None)
            await _db(outbox.prune, utcnow() - KEEP_DONE)
        except Exception:
            log.exception("outbox sweep failed")
            return 0
        return len(users)

    async def _deliver_pending(self, chat_id: int, own_entry: int | None) -> None:
        """Send the chat's pending entries oldest first, for as long as this worker may.

        Only the chat's oldest pending entry may be sent, so a worker stops at one that
        another worker holds (claimed, within its grace period): that worker continues
        with everything newer once it is done, this loop being what it runs. The pending
        entries are read again after the last one sent, so an entry committed by another
        worker's turn while ours were in flight is sent now, right after them; the other
        worker, reading after its commit, either saw ours pending and left its entry to
        us or sees ours sent and takes its own.
        """
        while pending := await _db(outbox.pending_for_user, self.channel, str(chat_id)):
            for entry in pending:
                await self._quiet()  # before the claim: a long wait must not outlast it
                if not await self._take(chat_id, entry, own_entry):
                    return  # another worker holds the chat; it sends the rest in turn
                token = entry.attempts + 1
                if token > MAX_DELIVERY_ATTEMPTS:
                    log.error("giving up outbox entry %s for chat %s", entry.id, chat_id)
                    await _db(outbox.abandon, entry.id)
                    continue
                if not await self._send_entry(chat_id, entry, token):
                    return  # nothing newer may overtake it

    async def _take(self, chat_id: int, entry: PendingEntry, own_entry: int | None) -> bool:
        """Claim the entry: one nobody took yet, or one whose holder's grace is over."""
        cutoff = utcnow() - self.resend_after
        unclaimed = entry.attempts == 0  # the turn's worker, or any in its place
        if (unclaimed or entry.claimed_at < cutoff) and await _db(
            outbox.claim, entry, None if unclaimed else cutoff
        ):
            return True
        if own_entry is not None and own_entry != entry.id:
            log.debug(
                "chat %s: entry %s waits behind %s of another worker", chat_id, own_entry, entry.id
            )
        return False

    async def _send_entry(self, chat_id: int, entry: PendingEntry, token: int) -> bool:
        """Send the entry's messages from where it stopped; True when all were accepted."""
        messages = render(entry.replies)
        if entry.parts_sent >= len(messages):
            return await _db(outbox.mark_progress, entry.id, token, entry.parts_sent, True)
        for index in range(entry.parts_sent, len(messages)):
            await self._quiet()
            try:
                await self._send(chat_id, messages[index])
            except Exception as error:
                if self._is_gone(error):
                    await self._give_up_on_chat(chat_id, error)
                    return False
                wait = self._retry_after(error)
                if wait is None:
                    log.exception("outbox entry %s: message %d not sent", entry.id, index + 1)
                else:
                    log.warning("outbox entry %s: still 429, retry in %ss", entry.id, wait)
                    self._quiet_until = max(self._quiet_until, time.monotonic() + wait)
                with contextlib.suppress(Exception):
                    await _db(outbox.release, entry.id, token)
                if wait is not None:
                    self._retry_later(chat_id)
                return False
            done = index + 1 == len(messages)
            # The at-least-once window: accepted by Telegram, not yet recorded here.
            if not await _db(outbox.mark_progress, entry.id, token, index + 1, done):
                log.warning("outbox entry %s was taken over by another worker", entry.id)
                return False
        return True

    async def _quiet(self) -> None:
        """Wait until no 429's retry_after forbids a Bot API call any more."""
        while (left := self._quiet_until - time.monotonic()) > 0:
            await asyncio.sleep(left)

    def _retry_later(self, chat_id: int) -> None:
        """Deliver the chat again once the 429 is over (once, however many asked)."""
        if chat_id not in self._retries:
            task = asyncio.create_task(self._retry(chat_id))
            self._retries[chat_id] = task
            self._retrying.add(task)
            task.add_done_callback(self._retrying.discard)

    async def _retry(self, chat_id: int) -> None:
        with contextlib.suppress(TimeoutError):
            left = max(self._quiet_until - time.monotonic(), 0.0)
            await asyncio.wait_for(self._stopping.wait(), left)
        del self._retries[chat_id]  # a new 429 in this delivery schedules the next retry
        if not self._stopping.is_set():
            await self.deliver(chat_id, None)

    async def _give_up_on_chat(self, chat_id: int, error: Exception) -> None:
        log.warning("chat %s unreachable (blocked or deleted): %s", chat_id, error)
        try:
            await _db(outbox.abandon_user, self.channel, str(chat_id))
        except Exception:
            log.exception("could not abandon the outbox of chat %s", chat_id)

    @contextlib.asynccontextmanager
    async def _chat_lock(self, chat_id: int) -> AsyncIterator[None]:
        """The chat's lock, dropped from the table when nobody needs it any more."""
        lock, users = self._chat_locks.get(chat_id, (asyncio.Lock(), 0))
        self._chat_locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chat_locks[chat_id]
            if users == 1:
                del self._chat_locks[chat_id]
            else:
                self._chat_locks[chat_id] = (lock, users - 1)


async def _db(function: Callable[..., T], *args: object) -> T:
    """Run a blocking outbox function on the service's engine in a worker thread."""
    engine = service.engine()
    return await anyio.to_thread.run_sync(lambda: function(engine, *args))
