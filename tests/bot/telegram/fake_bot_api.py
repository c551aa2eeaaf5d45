"""A fake Telegram Bot API server on loopback, for the real PTB and aiogram clients.

It records every call (method, parameters, time, status), keeps the messages it "sent"
so that a button press can refer to them as Telegram would, serves getUpdates (long
polling) or, once setWebhook was called, POSTs injected updates to the webhook with the
secret header. Failures (429 with retry_after, 403 blocked) can be scheduled per method,
sendMessage can be given a latency (the real API takes tens of milliseconds to accept a
message, and not always as long, so of two messages sent at about the same time either
may be accepted first), and a method can be stalled: its calls are recorded and never answered (a send in flight
when the bot's process is killed).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123456:TEST-fake-token_abcdefghijklmnopqrstu"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "leenwijzer",
    "username": "leenwijzer_test_bot",
}
#: Parameters that clients send JSON-encoded inside form data.
JSON_FIELDS = {
    "reply_markup",
    "entities",
    "commands",
    "allowed_updates",
    "link_preview_options",
    "scope",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "timeout", "limit", "message_thread_id"}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class Failure:
    """A scheduled error answer for a method (optionally only for one chat)."""

    method: str
    status: int
    description: str
    retry_after: int | None = None
    chat_id: int | None = None
    times: int = 1


@dataclass
class FakeBotApi:
    """The server; `base_url` is what TELEGRAM_API_URL should be set to."""

    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: The bytes of each document sent, by the message id that carries it.
    files: dict[int, bytes] = field(default_factory=dict)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    _queue: list[dict[str, Any]] = field(default_factory=list)
    _failures: list[Failure] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(500_000))
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    port: int = 0
    #: While set, getUpdates answers at once (a stopping poller is not kept waiting).
    hurry: bool = False
    _stalled: set[str] = field(default_factory=set)
    #: Mean seconds before a sendMessage is accepted: each waits a random time between
    #: none and twice this (errors come at once).
    send_latency: float = 0.0
    _random: random.Random = field(default_factory=lambda: random.Random(8))
    #: Forum topics by (chat id, message_thread_id): {"name", "closed", "deleted"}.
    topics: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    _unstall: asyncio.Event = field(default_factory=asyncio.Event)

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        self._arrived.set()
        self._unstall.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- scheduling failures and updates ----------------------------------------------

    def release_polls(self) -> None:
        """Answer the pending and all further getUpdates at once (until `hurry` is reset)."""
        self.hurry = True
        self._arrived.set()

    def fail(self, method: str, status: int, description: str, **kwargs: Any) -> None:
        """Answer the next `times` calls of `method` (for `chat_id`, if given) with an error."""
        self._failures.append(Failure(method, status, description, **kwargs))

    def clear_failures(self) -> None:
        """Forget the failures scheduled and not yet used."""
        self._failures.clear()

    def stall(self, method: str) -> None:
        """Record the calls of `method` but never answer them (until the server stops)."""
        self._stalled.add(method)

    def resume(self, method: str) -> None:
        """Answer further calls of a stalled method again (stalled calls stay unanswered)."""
        self._stalled.discard(method)

    def drop_connection(self, method: str, times: int = 1) -> None:
        """Close the connection on the next `times` calls of `method` without answering."""
        self.fail(method, 0, "connection dropped", times=times)

    def rate_limit(self, method: str, retry_after: int) -> None:
        self.fail(
            method, 429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def text_update(self, chat_id: int, text: str, lang: str | None = "nl") -> dict[str, Any]:
        """An update for a message the user typed."""
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": self._user(chat_id, lang),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return {"update_id": self.next_update_id(), "message": message}

    def press_update(self, chat_id: int, key: str, lang: str | None = "nl") -> dict[str, Any]:
        """An update for a press on the newest message to `chat_id` offering the button `key`."""
        for message in reversed(list(self.messages.values())):
            if message["chat"]["id"] == chat_id and key in _keys(message):
                return {
                    "update_id": self.next_update_id(),
                    "callback_query": {
                        "id": str(next(self._ids)),
                        "from": self._user(chat_id, lang),
                        "chat_instance": f"ci{chat_id}",
                        "data": key,
                        "message": copy.deepcopy(message),
                    },
                }
        raise AssertionError(f"no message to {chat_id} offers the button {key!r}")

    async def inject(self, *updates: dict[str, Any]) -> list[int]:
        """Deliver updates: POSTed to the webhook when one is set, else queued for getUpdates.

        Queued updates are added together, so one getUpdates returns them all (the way a
        redelivered batch would). Returns the webhook's status codes.
        """
        if self.webhook_url is None:
            self._queue.extend(copy.deepcopy(list(updates)))
            self._arrived.set()
            return []
        statuses = []
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret or ""}
        async with aiohttp.ClientSession() as session:
            for update in updates:
                async with session.post(self.webhook_url, json=update, headers=headers) as answer:
                    statuses.append(answer.status)
        return statuses

    # -- what tests read ---------------------------------------------------------------

    def called(self, method: str, status: int | None = 200) -> list[Call]:
        return [
            c for c in self.calls if c.method == method and (status is None or c.status == status)
        ]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages delivered to a chat (after any edits), oldest first."""
        return [m for m in self.messages.values() if m["chat"]["id"] == chat_id]

    def texts_to(self, chat_id: int) -> list[str]:
        return [str(m.get("text", "")) for m in self.sent_to(chat_id)]

    def label_of(self, chat_id: int, key: str) -> str:
        """The label of the newest button `key` offered to the chat."""
        for message in reversed(self.sent_to(chat_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("callback_data") == key:
                        return str(button["text"])
        raise AssertionError(f"no button {key!r} offered to {chat_id}")

    def last_keys(self, chat_id: int) -> list[str]:
        """The button keys of the newest message to the chat that has buttons."""
        for message in reversed(self.sent_to(chat_id)):
            if _keys(message):
                return _keys(message)
        return []

    # -- the HTTP side ---------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return _error(401, "Unauthorized")
        params = await _params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        if method in self._stalled:
            call.status = -1
            await self._unstall.wait()
            return _error(503, "stalled")
        failure = self._take_failure(method, params)
        if failure is not None and failure.status == 0:  # a network failure: hang up
            call.status = 0
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        if failure is not None:
            call.status = failure.status
            extra = {"retry_after": failure.retry_after} if failure.retry_after else None
            return _error(failure.status, failure.description, extra)
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_api_{method}", None)
        if handler is None:
            call.status = 404
            return _error(404, "Not Found")
        if method == "sendMessage" and self.send_latency:
            await asyncio.sleep(self._random.uniform(0, 2 * self.send_latency))
        try:
            result = handler(params)
        except _BadRequest as refused:
            call.status = 400
            return _error(400, str(refused))
        if asyncio.iscoroutine(result):
            result = await result
        return web.json_response({"ok": True, "result": result})

    def _take_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.chat_id in (None, params.get("chat_id")):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _user(self, chat_id: int, lang: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Test"}
        if lang:
            user["language_code"] = lang
        return user

    def _api_getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    # -- forum topics (the desk) -------------------------------------------------------

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An advisor deleted the topic by hand: sending into it fails from now on."""
        self.topics[(chat_id, thread_id)]["deleted"] = True

    def topic_texts(self, chat_id: int, thread_id: int) -> list[str]:
        """The messages posted in a topic, oldest first."""
        return [
            str(m.get("text", ""))
            for m in self.sent_to(chat_id)
            if m.get("message_thread_id") == thread_id
        ]

    def _topic(self, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.topics.get((int(params["chat_id"]), int(params["message_thread_id"])))
        if topic is None or topic["deleted"]:
            raise _BadRequest("Bad Request: message thread not found")
        return topic

    def _api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        thread_id = next(self._ids)
        self.topics[(int(params["chat_id"]), thread_id)] = {
            "name": params["name"],
            "closed": False,
            "deleted": False,
        }
        return {"message_thread_id": thread_id, "name": params["name"], "icon_color": 7322096}

    def _api_editForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["name"] = params.get("name")
        return True

    def _api_closeForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["closed"] = True
        return True

    def _api_reopenForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["closed"] = False
        return True

    def _api_deleteForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params)["deleted"] = True
        return True

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        if params.get("message_thread_id"):
            self._topic(params)
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": BOT_USER,
            "text": params["text"],
        }
        for optional in ("entities", "reply_markup", "message_thread_id"):
            if params.get(optional):
                message[optional] = params[optional]
        self.messages[message["message_id"]] = message
        return message

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        """A multipart upload: the file is the `document` field, or the field that
        `attach://name` names (aiogram's way); its bytes are kept in `files`."""
        chat_id = int(params["chat_id"])
        upload = params.get("document")
        if isinstance(upload, str) and upload.startswith("attach://"):
            upload = params.get(upload[len("attach://") :])
        if not isinstance(upload, Upload):
            raise web.HTTPBadRequest(text="sendDocument needs an uploaded file")
        message_id = next(self._ids)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": BOT_USER,
            "document": {
                "file_id": f"file{message_id}",
                "file_unique_id": f"u{message_id}",
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_size": len(upload.content),
            },
        }
        for optional in ("caption", "reply_markup"):
            if params.get(optional):
                message[optional] = params[optional]
        self.messages[message_id] = message
        self.files[message_id] = upload.content
        return message

    def documents_to(self, chat_id: int) -> list[tuple[dict[str, Any], bytes]]:
        """The documents sent to a chat: (the message's `document`, its bytes), oldest first."""
        return [
            (m["document"], self.files[m["message_id"]])
            for m in self.sent_to(chat_id)
            if "document" in m
        ]

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get(int(params["message_id"]))
        if message is None or message["chat"]["id"] != int(params["chat_id"]):
            raise web.HTTPBadRequest(text="message to edit not found")
        message["text"] = params["text"]
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        message["entities"] = params.get("entities") or []
        return message

    def _api_answerCallbackQuery(self, _params: dict[str, Any]) -> bool:
        return True

    def _api_setMyCommands(self, _params: dict[str, Any]) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = params["url"]
        self.webhook_secret = params.get("secret_token")
        return True

    def _api_deleteWebhook(self, _params: dict[str, Any]) -> bool:
        self.webhook_url = self.webhook_secret = None
        return True

    def _api_getWebhookInfo(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._queue = [u for u in self._queue if u["update_id"] >= offset]
        wait = 0.0 if self.hurry else min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + wait
        while not self._queue and time.monotonic() < deadline:
            self._arrived.clear()
            if self.hurry:
                break
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return copy.deepcopy(self._queue)


class _BadRequest(Exception):
    """A call Telegram refuses with 400 and this description."""


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str
    content_type: str
    content: bytes


def _keys(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's parameters, from a JSON body, a form, or the query string."""
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.read()
        raw.update(json.loads(body) if body else {})
    elif request.can_read_body:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, str):
                raw[name] = value
            elif isinstance(value, web.FileField):
                raw[name] = Upload(value.filename, value.content_type, value.file.read())
    for name in JSON_FIELDS & raw.keys():
        if isinstance(raw[name], str):
            raw[name] = json.loads(raw[name])
    for name in INT_FIELDS & raw.keys():
        if isinstance(raw[name], str) and raw[name].lstrip("-").isdigit():
            raw[name] = int(raw[name])
    return raw


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
