"""What both Telegram adapters share: the webhook gate, one turn, delivering the replies.

A library adapter (python-telegram-bot or aiogram) only reduces its update objects to an
`Incoming` and implements a handful of Bot API calls; the order of things lives here:

1. a pressed button's callback query is answered at once (the spinner stops);
2. `service.handle` runs the turn, recording the update id in the durable inbox and the
   replies in the outbox in the same transaction, so a redelivered update is answered
   once and a crash after the commit loses no reply;
3. the question whose button was pressed is edited to show the choice, and the replies
   are sent from the outbox, in order, per chat, each marked as soon as Telegram
   accepted it (`bot.telegram.delivery`, which also documents the one at-least-once
   window). On start, and every few seconds, the runner sends what a crashed worker
   left in the outbox.

In webhook mode the HTTP response (200) is returned after step 2: an acknowledged update
is already stored. A missing or wrong secret gets 403 before anything else happens; a body
with the right secret that is not a valid update gets 200 too (Telegram would only send it
again), one log line, and no turn.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import Response

from bot import service
from bot.service import TurnResult
from bot.settings import Settings
from bot.telegram.delivery import RESEND_AFTER_SECONDS, SWEEP_EVERY_SECONDS, Courier
from bot.telegram.incoming import Incoming, malformed
from bot.telegram.render import MAX_MESSAGE, Outgoing, pressed_note, utf16_len
from bot.triage import desk as triage_desk
from dialogs import command_descriptions
from dialogs.events import LANGUAGES

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
#: The update kinds the bot acts on; Telegram does not send the others.
ALLOWED_UPDATES = ["message", "callback_query"]
#: The commands in the order the menu shows them.
MENU = ("start", "restart", "back", "language", "help", "forget", "advisor")


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the token (the same in every worker)."""
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    token = (settings.telegram_bot_token or "").encode()
    return hmac.new(token, b"leenwijzer-webhook", hashlib.sha256).hexdigest()


def webhook_path(settings: Settings) -> str:
    """The path part of TELEGRAM_WEBHOOK_URL, where the webhook route is mounted."""
    if settings.telegram_webhook_url:
        path = urlparse(settings.telegram_webhook_url).path
        if path and path != "/":
            return path
    return DEFAULT_WEBHOOK_PATH


def menu(lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands in `lang`."""
    descriptions = command_descriptions(lang)
    return [(name, descriptions.get(name, name)) for name in MENU]


class TelegramRunner(ABC):
    """A running bot: polling when TELEGRAM_WEBHOOK_URL is unset, webhook otherwise.

    `resend_after` is the outbox grace period: how long a reply may stay unsent with the
    worker that claimed it before another worker sends it; it must exceed the longest
    Bot API call (429 waits included). `sweep_every` is the pause between two sweeps.
    """

    library: str = ""

    def __init__(
        self,
        settings: Settings,
        *,
        poll_timeout: int = 30,
        resend_after: float = RESEND_AFTER_SECONDS,
        sweep_every: float = SWEEP_EVERY_SECONDS,
    ) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.token = settings.telegram_bot_token
        self.api_url = settings.telegram_api_url.rstrip("/")
        self.webhook_url = settings.telegram_webhook_url
        self.webhook_path = webhook_path(settings)
        self.poll_timeout = poll_timeout
        self._secret = webhook_secret(settings)
        self._tasks: set[asyncio.Task[None]] = set()
        self.courier = Courier(
            CHANNEL,
            self.send,
            self.is_gone,
            retry_after=self.retry_after,
            resend_after=resend_after,
            sweep_every=sweep_every,
        )

    @property
    def uses_webhook(self) -> bool:
        return bool(self.webhook_url)

    # -- what each library implements -------------------------------------------------

    @abstractmethod
    async def start(self) -> None:
        """Connect, register the commands, send what the outbox still holds (`courier`),
        then set the webhook or start polling."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop polling and sweeping, finish the deliveries under way, close the connections."""

    @abstractmethod
    def parse_update(self, data: dict[str, Any]) -> Incoming | None:
        """The update (Bot API JSON) as an `Incoming`, None for a kind the bot ignores."""

    @abstractmethod
    async def send(self, chat_id: int, message: Outgoing) -> None:
        """sendMessage (with an inline keyboard when the message has buttons)."""

    @abstractmethod
    async def edit(self, chat_id: int, message_id: int, text: str, entities: list[Any]) -> None:
        """editMessageText, dropping the inline keyboard."""

    @abstractmethod
    async def answer_callback(self, callback_query_id: str) -> None:
        """answerCallbackQuery, so the user's client stops its spinner."""

    @abstractmethod
    def is_gone(self, error: Exception) -> bool:
        """Whether the error means the user blocked the bot or the chat no longer exists."""

    @abstractmethod
    def retry_after(self, error: Exception) -> float | None:
        """The seconds a 429 asks to wait (the library gave up retrying); None otherwise."""

    # -- shared ---------------------------------------------------------------------

    async def on_update(self, incoming: Incoming) -> None:
        """Polling: one whole update, turn then delivery; never raises."""
        if incoming.callback_query_id:
            await self._answer(incoming.callback_query_id)
        try:
            result = await self.turn(incoming)
        except Exception:
            log.exception("turn failed for update %s", incoming.update_id)
            return
        await self.deliver(incoming, result)

    async def turn(self, incoming: Incoming) -> TurnResult:
        """The conversation turn (stored together with the update id)."""
        return await service.handle(
            CHANNEL, str(incoming.chat_id), incoming.event, update_id=str(incoming.update_id)
        )

    async def deliver(self, incoming: Incoming, result: TurnResult) -> None:
        """Edit the pressed question, send the turn's replies from the outbox; never raises.

        A duplicate sends nothing new; it only lets replies a crashed worker left behind
        (past their grace period) go out now rather than at the next sweep.
        """
        if result.duplicate:
            await self.courier.deliver(incoming.chat_id, None)
            return

        async def edit_pressed() -> None:
            await self._edit_pressed(incoming)

        await self.courier.deliver(incoming.chat_id, result.outbox_id, before=edit_pressed)
        await self.desk_sync()

    async def desk_sync(self) -> None:
        """Post what the turn gave the desk (a new case's topic and card, the user's
        messages); never raises: what fails waits for the next turn's sync."""
        desk = service.desk()
        if desk is None:
            return
        try:
            await triage_desk.sync(self, desk.chat_id, desk.lang)
        except Exception:
            log.exception("desk sync failed")

    async def create_topic(self, chat_id: int, name: str) -> int:
        """createForumTopic (the desk); the library adapters implement it."""
        raise NotImplementedError

    async def post(
        self, chat_id: int, thread_id: int, text: str, buttons: list[tuple[str, str]]
    ) -> int:
        """sendMessage into a forum topic (the desk); the library adapters implement it."""
        raise NotImplementedError

    def thread_missing(self, error: Exception) -> bool:
        """Telegram's answer for a topic that was deleted."""
        return "thread not found" in str(error).lower()

    async def _edit_pressed(self, incoming: Incoming) -> None:
        """Show the chosen answer under the question and remove its buttons."""
        if not (incoming.message_id and incoming.message_text and incoming.pressed_label):
            return
        text = pressed_note(incoming.message_text, incoming.pressed_label)
        if utf16_len(text) > MAX_MESSAGE:
            return
        try:
            await self.edit(
                incoming.chat_id, incoming.message_id, text, list(incoming.message_entities)
            )
        except Exception as error:  # an old or unchanged message: not worth failing the turn
            if self.is_gone(error):
                raise
            log.info("could not edit message %s: %s", incoming.message_id, error)

    async def _answer(self, callback_query_id: str) -> None:
        try:
            await self.answer_callback(callback_query_id)
        except Exception as error:
            log.info("could not answer callback query %s: %s", callback_query_id, error)

    def secret_matches(self, supplied: str | None) -> bool:
        """Constant-time comparison of the webhook secret header."""
        return hmac.compare_digest((supplied or "").encode(), self._secret.encode())

    @property
    def secret(self) -> str:
        """The secret Telegram must send with every webhook request."""
        return self._secret

    async def handle_webhook(self, request: Request) -> Response:
        """One webhook request: 403 without the right secret; 200 once the turn is stored.

        A 500 (the database failed) makes Telegram deliver the update again later.
        """
        if not self.secret_matches(request.headers.get(SECRET_HEADER)):
            return Response(status_code=403)
        incoming, problem = self.read_update(await request.body())
        if problem is not None:
            log.warning("ignored a malformed webhook update: %s", problem)
            return Response(status_code=200)
        if incoming is None:
            return Response(status_code=200)
        if incoming.callback_query_id:
            self._spawn(self._answer(incoming.callback_query_id))
        try:
            result = await self.turn(incoming)
        except Exception:
            log.exception("turn failed for update %s", incoming.update_id)
            return Response(status_code=500)
        self._spawn(self.deliver(incoming, result))
        return Response(status_code=200)

    def read_update(self, body: bytes) -> tuple[Incoming | None, str | None]:
        """A webhook body as (the update as an `Incoming`, None), (None, None) for a kind
        the bot ignores, or (None, what is wrong) when it is not a valid update."""
        try:
            data = json.loads(body)
        except RecursionError:
            return None, "JSON nested too deeply"
        except ValueError:  # UnicodeDecodeError included
            return None, "not JSON (or not UTF-8)"
        if not isinstance(data, dict):
            return None, f"JSON {_json_kind(data)}, not an object"
        update_id = data.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None, "update_id missing or not an integer"
        try:
            incoming = self.parse_update(data)
        except Exception as error:  # each library refuses a bad field in its own way
            return None, f"update {update_id}: {_summary(error)}"
        if incoming is None:
            return None, None
        problem = malformed(incoming)
        return (None, f"update {update_id}: {problem}") if problem else (incoming, None)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the deliveries started by webhook requests."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def register_commands(self) -> None:
        """setMyCommands in nl and fr, and in English as the default for everyone else."""
        for lang in LANGUAGES:
            await self.set_commands(menu(lang), None if lang == "en" else lang)

    @abstractmethod
    async def set_commands(
        self, commands: list[tuple[str, str]], language_code: str | None
    ) -> None:
        """setMyCommands for one language (None: the default list)."""


def _json_kind(value: object) -> str:
    """The JSON name of a decoded value's kind (array, string, number, boolean, null)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else "number"


def _summary(error: Exception) -> str:
    """A one-line reason a library refused an update, without the values (user data)."""
    errors = getattr(error, "errors", None)
    if callable(errors):  # pydantic (aiogram): where and what, not the input
        try:
            found = errors()
            return "; ".join(
                f"{'.'.join(str(part) for part in e['loc'])}: {e['type']}" for e in found[:3]
            )
        except Exception:  # pragma: no cover - not a pydantic error after all
            pass
    return f"{type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''}"


def build_runner(
    settings: Settings,
    *,
    poll_timeout: int = 30,
    resend_after: float = RESEND_AFTER_SECONDS,
    sweep_every: float = SWEEP_EVERY_SECONDS,
) -> TelegramRunner | None:
    """The runner of TELEGRAM_LIBRARY (ptb or aiogram), None when no token is set."""
    if not settings.telegram_bot_token:
        return None
    options = {"resend_after": resend_after, "sweep_every": sweep_every}
    if settings.telegram_library == "aiogram":
        from bot.telegram.aiogram_runner import AiogramRunner

        return AiogramRunner(settings, poll_timeout=poll_timeout, **options)
    from bot.telegram.ptb_runner import PtbRunner

    return PtbRunner(settings, poll_timeout=poll_timeout, **options)
