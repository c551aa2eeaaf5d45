"""What a Telegram user did, as a transport-neutral `Event`.

Both adapters extract the same few fields from their library's update object and hand
them to `Incoming`; everything after that is shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.events import Event


@dataclass(frozen=True)
class Incoming:
    """One update reduced to what a turn needs.

    `message_id`, `message_text` and `pressed_label` describe the message whose button
    was pressed, so it can be edited in place to show the choice; `message_entities`
    keeps its formatting (JSON-ready dicts) when it is edited.
    """

    update_id: int
    chat_id: int
    event: Event
    callback_query_id: str | None = None
    message_id: int | None = None
    message_text: str | None = None
    message_entities: tuple[dict[str, object], ...] = ()
    pressed_label: str | None = None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def malformed(incoming: Incoming) -> str | None:
    """What is wrong with an `Incoming` a library built from a bad update, or None.

    python-telegram-bot does not check the types of an update's fields (a chat id of
    "seven" comes through as such); aiogram does. Checking what the turn will use keeps
    both libraries to the same answer: a malformed update is never a turn.
    """
    event = incoming.event
    problems = [
        ("update_id", _is_int(incoming.update_id)),
        ("chat id", _is_int(incoming.chat_id)),
        ("text", event.type != "text" or isinstance(event.text, str)),
        ("callback data", event.type != "button" or isinstance(event.key, str)),
        (
            "callback query id",
            incoming.callback_query_id is None or isinstance(incoming.callback_query_id, str),
        ),
        ("message id", incoming.message_id is None or _is_int(incoming.message_id)),
        ("message text", incoming.message_text is None or isinstance(incoming.message_text, str)),
    ]
    wrong = [name for name, ok in problems if not ok]
    return f"wrong type of {', '.join(wrong)}" if wrong else None


def lang_hint(language_code: str | None) -> str:
    """nl or fr from Telegram's `language_code` ("nl-BE", "fr"), else en."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in ("nl", "fr") else "en"


def event_from_text(text: str, language_code: str | None) -> Event:
    """A typed message; the dialog itself reads commands ("/back", "/start@bot")."""
    return Event.typed(text, lang=lang_hint(language_code))


def event_from_button(data: str, language_code: str | None) -> Event:
    """An inline-keyboard press: the callback data is the button's key."""
    return Event.button(data, lang=lang_hint(language_code))
