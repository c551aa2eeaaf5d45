"""The python-telegram-bot adapter: PTB objects in, `Incoming` out; Bot API calls back.

429s are handled by PTB's AIORateLimiter (it waits `retry_after` and retries, a few
times; after the last one the courier holds back further sends for its `retry_after`);
network errors and timeouts are retried here with exponential backoff.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import anyio.to_thread
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.settings import Settings
from bot.telegram.incoming import Incoming, event_from_button, event_from_text
from bot.telegram.render import Outgoing
from bot.telegram.runner import ALLOWED_UPDATES, TelegramRunner
from dialogs.documents import render_document

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How often AIORateLimiter retries after a 429 before giving up on a call.
RATE_LIMIT_RETRIES = 3
#: Attempts for a call that fails on the network (timeouts, refused connections).
NETWORK_ATTEMPTS = 4
NETWORK_BACKOFF_SECONDS = 0.5


async def with_network_retries(call: Callable[[], Awaitable[T]]) -> T:
    """Run `call`, retrying network failures with exponential backoff.

    BadRequest is a NetworkError subclass in PTB but a permanent failure: not retried.
    """
    for attempt in range(NETWORK_ATTEMPTS):
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as error:
            if attempt == NETWORK_ATTEMPTS - 1:
                raise
            delay = NETWORK_BACKOFF_SECONDS * 2**attempt
            log.warning("network error (%s), retrying in %.1fs", error, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


class PtbRunner(TelegramRunner):
    """The bot on python-telegram-bot (TELEGRAM_LIBRARY=ptb, the default)."""

    library = "ptb"

    def __init__(self, settings: Settings, *, poll_timeout: int = 30, **delivery: float) -> None:
        super().__init__(settings, poll_timeout=poll_timeout, **delivery)
        builder = (
            ApplicationBuilder()
            .token(self.token)
            .base_url(f"{self.api_url}/bot")
            .base_file_url(f"{self.api_url}/file/bot")
            .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        )
        if self.uses_webhook:
            builder = builder.updater(None)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_ptb_update))

    async def start(self) -> None:
        await self.app.initialize()
        await self.register_commands()
        await self.courier.start()  # what a crashed worker left, before anything new
        if self.uses_webhook:
            await with_network_retries(
                lambda: self.app.bot.set_webhook(
                    str(self.webhook_url), secret_token=self.secret, allowed_updates=ALLOWED_UPDATES
                )
            )
        await self.app.start()
        if self.app.updater is not None:
            await self.app.updater.start_polling(
                timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3
            )

    async def stop(self) -> None:
        await self.courier.stop()
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.drain()
        await self.app.shutdown()

    async def _on_ptb_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = incoming_from(update)
        if incoming is not None:
            await self.on_update(incoming)

    def parse_update(self, data: dict[str, Any]) -> Incoming | None:
        return incoming_from(Update.de_json(data, self.app.bot))

    async def send(self, chat_id: int, message: Outgoing) -> None:
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.label, callback_data=b.key) for b in row]
                for row in message.keyboard
            ]
        )
        if message.document is not None:
            done = await anyio.to_thread.run_sync(render_document, message.document)
            await with_network_retries(
                lambda: self.app.bot.send_document(
                    chat_id,
                    InputFile(done.content, filename=done.filename),
                    caption=message.text or None,
                    reply_markup=keyboard if message.keyboard else None,
                )
            )
            return
        entities = [MessageEntity(**entity) for entity in message.entities()]  # type: ignore[arg-type]
        await with_network_retries(
            lambda: self.app.bot.send_message(
                chat_id,
                message.text,
                entities=entities or None,
                reply_markup=keyboard if message.keyboard else None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )

    async def create_topic(self, chat_id: int, name: str) -> int:
        topic = await with_network_retries(lambda: self.app.bot.create_forum_topic(chat_id, name))
        return int(topic.message_thread_id)

    async def post(
        self, chat_id: int, thread_id: int, text: str, buttons: list[tuple[str, str]]
    ) -> int:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=key) for key, label in buttons]]
        )
        sent = await with_network_retries(
            lambda: self.app.bot.send_message(
                chat_id,
                text,
                message_thread_id=thread_id,
                reply_markup=keyboard if buttons else None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        return int(sent.message_id)

    async def edit(self, chat_id: int, message_id: int, text: str, entities: list[Any]) -> None:
        parsed = [MessageEntity.de_json(entity, self.app.bot) for entity in entities]
        await with_network_retries(
            lambda: self.app.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                entities=[e for e in parsed if e is not None] or None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )

    async def answer_callback(self, callback_query_id: str) -> None:
        await self.app.bot.answer_callback_query(callback_query_id)

    async def set_commands(
        self, commands: list[tuple[str, str]], language_code: str | None
    ) -> None:
        await with_network_retries(
            lambda: self.app.bot.set_my_commands(
                [BotCommand(name, text) for name, text in commands], language_code=language_code
            )
        )

    def is_gone(self, error: Exception) -> bool:
        if isinstance(error, Forbidden):
            return True
        return isinstance(error, BadRequest) and "chat not found" in str(error).lower()

    def retry_after(self, error: Exception) -> float | None:
        if not isinstance(error, RetryAfter):
            return None
        with warnings.catch_warnings():  # an int or a timedelta, depending on PTB_TIMEDELTA
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            wait = error.retry_after
        return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def incoming_from(update: Update) -> Incoming | None:
    """A text message or a button press as an `Incoming`; anything else is ignored."""
    query = update.callback_query
    if query is not None and query.data is not None:
        message = query.message if isinstance(query.message, Message) else None
        chat_id = message.chat.id if message is not None else query.from_user.id
        return Incoming(
            update_id=update.update_id,
            chat_id=chat_id,
            event=event_from_button(query.data, query.from_user.language_code),
            callback_query_id=query.id,
            message_id=message.message_id if message is not None else None,
            message_text=message.text if message is not None else None,
            message_entities=tuple(e.to_dict() for e in (message.entities if message else ())),
            pressed_label=_label_of(message, query.data),
        )
    message = update.message
    if message is not None and message.text is not None:
        user = message.from_user
        return Incoming(
            update_id=update.update_id,
            chat_id=message.chat.id,
            event=event_from_text(message.text, user.language_code if user else None),
        )
    return None


def _label_of(message: Message | None, data: str) -> str | None:
    """The label of the pressed button, read from the message's own keyboard."""
    if message is None or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
