"""Request and response bodies of the chat contract, as pydantic models.

They mirror `/work/shared/contracts/chat-json.md` exactly; validation here is what turns a
bad request into a field-level 422 (unknown event type, missing field, unknown field,
text too long, button key not ASCII or over 64 bytes) before anything reaches the dialog.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from dialogs.events import Event

MAX_TEXT_CHARS = 4000
#: Printable ASCII, 1 to 64 characters (= bytes): Telegram's callback_data limit.
BUTTON_KEY_PATTERN = r"^[\x20-\x7E]{1,64}$"
#: Session ids are ours (secrets.token_urlsafe); accept only that alphabet.
SESSION_PATTERN = r"^[A-Za-z0-9_-]{16,128}$"
#: A client's turn id: printable ASCII, 1 to 64 characters (the chat contract's `turn`).
TURN_PATTERN = r"^[\x20-\x7E]{1,64}$"
TURN_DESCRIPTION = (
    "Optional id the client gives this event (a counter or random string, at most 64 "
    "printable ASCII characters), unique within the session. The same (session, turn) "
    "sent again, because the answer was lost on the way, returns the same replies and "
    "does not apply the event a second time; send a new one with every new event."
)

#: Where the OpenAPI document keeps the evaluate case (`bot.web.app` puts it there).
CASE_SCHEMA_REF = "#/components/schemas/Case"

Lang = Literal["nl", "fr", "en"]
CommandName = Literal["back", "restart", "language", "help", "forget", "advisor"]


class StrictModel(BaseModel):
    """A request body part that refuses unknown keys with a field-level 422.

    A misspelt key (`"sesion"`, `"txt"`) must not be silently dropped: the client would
    believe it sent something the server never read.
    """

    model_config = ConfigDict(extra="forbid")


class StartEvent(StrictModel):
    """Begin (or begin again), optionally with case fields the site already knows."""

    type: Literal["start"]
    #: Evaluate-case fields, checked by the route exactly like `/evaluate` (so its 422
    #: names them under `body.event.prefill`); published as the case schema.
    prefill: Annotated[
        dict[str, Any] | None,
        WithJsonSchema({"anyOf": [{"$ref": CASE_SCHEMA_REF}, {"type": "null"}]}, mode="validation"),
    ] = None

    def to_event(self, lang: str | None) -> Event:
        return Event.start(lang=lang, prefill=self.prefill)


class TextEvent(StrictModel):
    """The user typed something."""

    type: Literal["text"]
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)

    def to_event(self, lang: str | None) -> Event:
        return Event.typed(self.text, lang=lang)


class ButtonEvent(StrictModel):
    """The user chose a button, identified by its key."""

    type: Literal["button"]
    key: str = Field(pattern=BUTTON_KEY_PATTERN)

    def to_event(self, lang: str | None) -> Event:
        return Event.button(self.key, lang=lang)


class CommandEvent(StrictModel):
    """A command (restart, back, language with `arg`, help, forget, advisor)."""

    type: Literal["command"]
    name: CommandName
    arg: str | None = Field(default=None, max_length=64)

    def to_event(self, lang: str | None) -> Event:
        return Event.command(self.name, arg=self.arg, lang=lang)


AnyEvent = Annotated[
    StartEvent | TextEvent | ButtonEvent | CommandEvent, Field(discriminator="type")
]


class ChatRequest(StrictModel):
    """One turn: the session (absent on the first turn), the turn id, the language, the event."""

    session: str | None = Field(default=None, pattern=SESSION_PATTERN)
    turn: str | None = Field(
        default=None, max_length=64, pattern=TURN_PATTERN, description=TURN_DESCRIPTION
    )
    lang: Lang | None = None
    event: AnyEvent


class FieldError(BaseModel):
    """One problem: where (`loc`, e.g. `["body", "loan", "amount"]`), what, and its kind."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """Every error answer of the API (413, 415, 422, 429, 500): one entry per problem."""

    detail: list[FieldError]


class ButtonOut(BaseModel):
    key: str
    label: str


class TableOut(BaseModel):
    columns: list[str]
    rows: list[list[str]]


class DocumentOut(BaseModel):
    """A file the reply offers (the repayment table): its bytes, base64."""

    format: Literal["pdf", "csv"]
    regime: str
    filename: str
    media_type: str
    data: str


class ReplyOut(BaseModel):
    """One message: plain text (never HTML), optional buttons, table and document."""

    text: str
    buttons: list[ButtonOut] | None = None
    table: TableOut | None = None
    document: DocumentOut | None = None


class ChatResponse(BaseModel):
    """The answer to one turn; `done` once a result has been given."""

    session: str
    lang: Lang
    replies: list[ReplyOut]
    done: bool
