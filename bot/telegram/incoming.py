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
