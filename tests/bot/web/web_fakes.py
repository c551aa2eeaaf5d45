"""A fake conversation service for the web API tests: records calls, answers by rule.

- start → a greeting with two buttons;
- text  → echoes the text back (so tests can check it comes back as plain JSON text);
- button "show.table" → a reply with a table and `done`;
- command language → switches the conversation language.

`exists` answers the web edge's "is this session stored?" from the sessions it has seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogs.events import Button, Event, Reply, Table


@dataclass(frozen=True)
class FakeTurn:
    replies: list[Reply]
    lang: str
    done: bool
    duplicate: bool = False
    new_conversation: bool = False


@dataclass
class FakeHandle:
    """Callable like `bot.service.handle(channel, user_key, event)`."""

    calls: list[tuple[str, str, Event]] = field(default_factory=list)
    turn_ids: list[str | None] = field(default_factory=list)
    langs: dict[str, str] = field(default_factory=dict)

    async def __call__(
        self, channel: str, user_key: str, event: Event, *, turn_id: str | None = None
    ) -> FakeTurn:
        self.calls.append((channel, user_key, event))
        self.turn_ids.append(turn_id)
        new = user_key not in self.langs
        lang = self.langs.setdefault(user_key, event.lang or "en")
        if event.type == "command" and event.name == "language" and event.arg:
            lang = self.langs[user_key] = event.arg
        if event.type == "start":
            replies = [
                Reply(
                    "Hello",
                    buttons=[Button("role.entrepreneur", "Borrow"), Button("show.table", "Table")],
                )
            ]
        elif event.type == "text":
            replies = [Reply(f"You said: {event.text}")]
        elif event.type == "button" and event.key == "show.table":
            table = Table(columns=["n", "capital"], rows=[["1", "100.00"]])
            return FakeTurn([Reply("Result", table=table)], lang, True, new_conversation=new)
        else:
            replies = [Reply(f"{event.type}:{event.key or event.name}")]
        return FakeTurn(replies, lang, False, new_conversation=new)

    async def exists(self, channel: str, user_key: str) -> bool:
        """Like `bot.web.sessions.conversation_exists`: a session this fake has seen."""
        return channel == "web" and user_key in self.langs


class FailingHandle(FakeHandle):
    """The fake conversation service, except that the text "boom" fails the turn (a 500)."""

    async def __call__(
        self, channel: str, user_key: str, event: Event, *, turn_id: str | None = None
    ) -> FakeTurn:
        if event.type == "text" and event.text == "boom":
            raise RuntimeError("the database went away")
        return await super().__call__(channel, user_key, event, turn_id=turn_id)


async def healthy() -> bool:
    return True


async def unhealthy() -> bool:
    return False


async def broken() -> bool:
    raise RuntimeError("database gone")
