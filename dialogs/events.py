"""Transport-neutral events and replies: what flows in and out of `dialogs.step`.

Every front end (terminal, Telegram, web) turns its input into an `Event` and renders the
`Reply` objects it gets back. Nothing here knows about a transport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EventType = Literal["start", "text", "button", "command"]
CommandName = Literal["restart", "back", "language", "help", "forget", "advisor"]
COMMANDS: tuple[str, ...] = ("restart", "back", "language", "help", "forget", "advisor")
LANGUAGES: tuple[str, ...] = ("nl", "fr", "en")

#: Key in the state returned by `step` that tells the storage layer to erase every row
#: of this user (set only after the user confirmed /forget). The storage layer deletes
#: the data and does not persist the state that carries this key.
ERASE_KEY = "erase"
#: Key in the state returned by `step` on the turn that produced a result: a receipt
#: (rules_version, closing_date, case, verdicts) that the storage layer moves into its
#: results table and removes from the state before saving it.
RECEIPT_KEY = "receipt"


@dataclass(frozen=True)
class Event:
    """One thing the user did.

    `lang` is a hint (Telegram's language_code, the widget's data-lang) used only when the
    conversation has no language yet. `prefill` holds evaluate-contract case fields.
    """

    type: EventType
    text: str | None = None
    key: str | None = None
    name: str | None = None
    arg: str | None = None
    prefill: dict[str, Any] | None = None
    lang: str | None = None

    @staticmethod
    def start(lang: str | None = None, prefill: dict[str, Any] | None = None) -> Event:
        return Event(type="start", lang=lang, prefill=prefill)

    @staticmethod
    def typed(text: str, lang: str | None = None) -> Event:
        return Event(type="text", text=text, lang=lang)

    @staticmethod
    def button(key: str, lang: str | None = None) -> Event:
        return Event(type="button", key=key, lang=lang)

    @staticmethod
    def command(name: str, arg: str | None = None, lang: str | None = None) -> Event:
        return Event(type="command", name=name, arg=arg, lang=lang)


@dataclass(frozen=True)
class Button:
    """A choice: `key` is ASCII, at most 64 bytes (Telegram callback_data); `label` is text."""

    key: str
    label: str


@dataclass(frozen=True)
class Table:
    """A table (the repayment schedule): already formatted cells, one list per row."""

    columns: list[str]
    rows: list[list[str]]


DocumentFormat = Literal["pdf", "csv"]
DOCUMENT_FORMATS: tuple[str, ...] = ("pdf", "csv")


@dataclass(frozen=True)
class Document:
    """A file to attach: the repayment table of `regime` as PDF or CSV, in `lang`.

    It describes the request, not the bytes: `case` is the evaluate case (the one the
    receipt hashes) and `on` the day it was evaluated on (used when the case has no
    closing date). A transport renders the bytes when it sends the reply
    (`dialogs.documents.render_document`), so a reply stays small and JSON-serialisable
    in the outbox, and a document is always computed from the rules' own answer.
    """

    format: DocumentFormat
    regime: str
    lang: str
    filename: str
    case: dict[str, Any]
    on: str

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "regime": self.regime,
            "lang": self.lang,
            "filename": self.filename,
            "case": self.case,
            "on": self.on,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Document:
        fmt: DocumentFormat = "csv" if data.get("format") == "csv" else "pdf"
        return Document(
            format=fmt,
            regime=str(data["regime"]),
            lang=str(data.get("lang", "en")),
            filename=str(data["filename"]),
            case=dict(data.get("case") or {}),
            on=str(data["on"]),
        )


@dataclass(frozen=True)
class Reply:
    """One message to show: plain text (never HTML), optional buttons, table, document."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    table: Table | None = None
    document: Document | None = None

    def to_json(self) -> dict[str, Any]:
        """The reply as in the chat contract (`buttons`/`table`/`document` only when present).

        `document` carries the whole request (the case included) for the outbox; the web
        edge shows a client only its format, file name and bytes.
        """
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = [{"key": b.key, "label": b.label} for b in self.buttons]
        if self.table is not None:
            out["table"] = {"columns": list(self.table.columns), "rows": self.table.rows}
        if self.document is not None:
            out["document"] = self.document.to_json()
        return out
