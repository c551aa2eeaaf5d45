"""The aiogram adapter: aiogram objects in, `Incoming` out; Bot API calls back.

aiogram has no built-in rate limiter: `RetryMiddleware`, a request middleware on the
bot's session, waits `retry_after` on a 429 (a few times; after the last one the courier
holds back further sends for its `retry_after`) and backs off on network errors.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anyio.to_thread
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)

from bot.settings import Settings
from bot.telegram.incoming import Incoming, event_from_button, event_from_text
from bot.telegram.render import Outgoing
from bot.telegram.runner import ALLOWED_UPDATES, TelegramRunner
from dialogs.documents import render_document

log = logging.getLogger(__name__)

#: How often a call is retried after a 429 before giving up on it.
RATE_LIMIT_RETRIES = 3
#: Attempts for a call that fails on the network or with a 5xx.
NETWORK_ATTEMPTS = 4
NETWORK_BACKOFF_SECONDS = 0.5


class RetryMiddleware(BaseRequestMiddleware):
    """Honour 429 `retry_after`; retry network and 5xx errors with exponential backoff.

    getUpdates is left alone: the polling loop has its own backoff.
    """

    def __init__(
        self, rate_limit_retries: int = 3, network_attempts: int = 4, backoff: float = 0.5
    ):
        self.rate_limit_retries = rate_limit_retries
        self.network_attempts = network_attempts
        self.backoff = backoff

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        polling = isinstance(method, GetUpdates)  # kept apart: no narrowing of `method`
        if polling:
            return await make_request(bot, method)
        rate_limited = network_failures = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                rate_limited += 1
                if rate_limited > self.rate_limit_retries:
                    raise
                log.warning("429 on %s: waiting %ss", type(method).__name__, error.retry_after)
                await asyncio.sleep(error.retry_after)
            except (TelegramNetworkError, TelegramServerError) as error:
                network_failures += 1
                if network_failures >= self.network_attempts:
                    raise
                base = NETWORK_BACKOFF_SECONDS if self.backoff is None else self.backoff
                delay = base * 2 ** (network_failures - 1)
                log.warning("network error (%s), retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)


class AiogramRunner(TelegramRunner):
    """The bot on aiogram (TELEGRAM_LIBRARY=aiogram)."""

    library = "aiogram"

    def __init__(self, settings: Settings, *, poll_timeout: int = 30, **delivery: float) -> None:
        super().__init__(settings, poll_timeout=poll_timeout, **delivery)
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.api_url))
        session.middleware(RetryMiddleware(rate_limit_retries=RATE_LIMIT_RETRIES))
        self.bot = Bot(self.token, session=session)
        self.dispatcher = Dispatcher()
        self.dispatcher.message.register(self._on_aiogram_update)
        self.dispatcher.callback_query.register(self._on_aiogram_update)
        self._polling: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.register_commands()
        await self.courier.start()  # what a crashed worker left, before anything new
        if self.uses_webhook:
            await self.bot.set_webhook(
                str(self.webhook_url), secret_token=self.secret, allowed_updates=ALLOWED_UPDATES
            )
            return
        await self.bot.delete_webhook(drop_pending_updates=False)
        started = asyncio.Event()
        self.dispatcher.startup.register(started.set)
        self._polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=self.poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
                handle_as_tasks=False,  # one update after the other keeps replies in order
            )
        )
        await started.wait()

    async def stop(self) -> None:
        await self.courier.stop()
        if self._polling is not None:
            await self.dispatcher.stop_polling()
            await self._polling
            self._polling = None
        await self.drain()
        await self.bot.session.close()

    async def _on_aiogram_update(
        self, _event: Message | CallbackQuery, event_update: Update
    ) -> None:
        incoming = incoming_from(event_update)
        if incoming is not None:
            await self.on_update(incoming)

    def parse_update(self, data: dict[str, Any]) -> Incoming | None:
        return incoming_from(Update.model_validate(data, context={"bot": self.bot}))

    async def send(self, chat_id: int, message: Outgoing) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=b.label, callback_data=b.key) for b in row]
                for row in message.keyboard
            ]
        )
        if message.document is not None:
            done = await anyio.to_thread.run_sync(render_document, message.document)
            await self.bot.send_document(
                chat_id,
                BufferedInputFile(done.content, filename=done.filename),
                caption=message.text or None,
                reply_markup=keyboard if message.keyboard else None,
            )
            return
        await self.bot.send_message(
            chat_id,
            message.text,
            entities=[MessageEntity.model_validate(e) for e in message.entities()] or None,
            reply_markup=keyboard if message.keyboard else None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )

    async def create_topic(self, chat_id: int, name: str) -> int:
        topic = await self.bot.create_forum_topic(chat_id, name)
        return int(topic.message_thread_id)

    async def post(
        self, chat_id: int, thread_id: int, text: str, buttons: list[tuple[str, str]]
    ) -> int:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=label, callback_data=key) for key, label in buttons]
            ]
        )
        sent = await self.bot.send_message(
            chat_id,
            text,
            message_thread_id=thread_id,
            reply_markup=keyboard if buttons else None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return int(sent.message_id)

    async def edit(self, chat_id: int, message_id: int, text: str, entities: list[Any]) -> None:
        await self.bot.edit_message_text(
            text=text,
            chat_id=chat_id,
            message_id=message_id,
            entities=[MessageEntity.model_validate(e) for e in entities] or None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )

    async def answer_callback(self, callback_query_id: str) -> None:
        await self.bot.answer_callback_query(callback_query_id)

    async def set_commands(
        self, commands: list[tuple[str, str]], language_code: str | None
    ) -> None:
        await self.bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands],
            language_code=language_code,
        )

    def is_gone(self, error: Exception) -> bool:
        if isinstance(error, TelegramForbiddenError):
            return True
        return isinstance(error, TelegramBadRequest) and "chat not found" in str(error).lower()

    def retry_after(self, error: Exception) -> float | None:
        return float(error.retry_after) if isinstance(error, TelegramRetryAfter) else None


def incoming_from(update: Update) -> Incoming | None:
    """A text message or a button press as an `Incoming`; anything else is ignored."""
    query = update.callback_query
    if query is not None and query.data is not None:
        message = query.message if isinstance(query.message, Message) else None
        chat_id = message.chat.id if message is not None else query.from_user.id
        entities = message.entities if message is not None and message.entities else []
        return Incoming(
            update_id=update.update_id,
            chat_id=chat_id,
            event=event_from_button(query.data, query.from_user.language_code),
            callback_query_id=query.id,
            message_id=message.message_id if message is not None else None,
            message_text=message.text if message is not None else None,
            message_entities=tuple(e.model_dump(exclude_none=True) for e in entities),
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
