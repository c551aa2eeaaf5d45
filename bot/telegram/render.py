"""Replies as Bot API messages: split under 4096 characters, tables in monospace.

Text is sent as plain text (no parse mode, so nothing needs escaping); a table is its own
message formatted with a `pre` entity; a document (the repayment table as PDF or CSV) is
its own sendDocument, rendered when it is sent. Buttons go on the last message of a
reply, as an inline keyboard whose callback data is the button's key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from dialogs.events import Button, Document, Reply, Table

log = logging.getLogger(__name__)

#: Telegram's limit on a message's text, counted in UTF-16 code units after parsing.
MAX_MESSAGE = 4096
#: Telegram's limit on callback data.
MAX_CALLBACK_DATA = 64
#: Buttons with labels up to this length share a keyboard row, two by two.
SHORT_LABEL = 16


@dataclass(frozen=True)
class Outgoing:
    """One sendMessage (or, with `document`, one sendDocument whose caption is `text`):
    text, whether it is all monospace, keyboard rows of buttons."""

    text: str
    monospace: bool = False
    keyboard: list[list[Button]] = field(default_factory=list)
    document: Document | None = None

    def entities(self) -> list[dict[str, object]]:
        """The message entities (a single `pre` block for a monospace message)."""
        if not self.monospace:
            return []
        return [{"type": "pre", "offset": 0, "length": utf16_len(self.text)}]


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def render(replies: list[Reply]) -> list[Outgoing]:
    """Every reply as one or more messages, in order."""
    messages: list[Outgoing] = []
    for reply in replies:
        parts = [Outgoing(chunk) for chunk in split_text(reply.text)]
        if reply.table is not None:
            parts += [Outgoing(chunk, monospace=True) for chunk in table_blocks(reply.table)]
        if reply.document is not None:
            parts.append(Outgoing("", document=reply.document))
        keyboard = keyboard_rows(reply.buttons)
        if keyboard:
            last = parts[-1] if parts else Outgoing("…")
            parts[-1:] = [replace(last, keyboard=keyboard)]
        messages += parts
    return messages


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Chunks of at most `limit`, cut between paragraphs, else lines, else words."""
    if not text.strip():
        return []
    if utf16_len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        pieces = text.split(separator)
        if len(pieces) > 1:
            return _pack(pieces, separator, limit)
    return _hard_cut(text, limit)


def _pack(pieces: list[str], separator: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if utf16_len(piece) <= limit:
            current = piece
        else:  # one paragraph longer than a message: cut it at a finer boundary
            *whole, current = split_text(piece, limit)
            chunks += whole
    if current:
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _hard_cut(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for char in text:
        if utf16_len(current + char) > limit:
            chunks.append(current)
            current = ""
        current += char
    return [*chunks, current] if current else chunks


def table_lines(table: Table) -> tuple[str, list[str]]:
    """The header (with a rule under it) and one aligned line per row.

    Text columns are left-aligned, columns whose cells look like numbers right-aligned.
    """
    width = len(table.columns)
    rows = [[*row, *[""] * (width - len(row))][:width] for row in table.rows]
    widths = [max([len(table.columns[i]), *(len(r[i]) for r in rows)]) for i in range(width)]
    numeric = [all(_looks_numeric(r[i]) for r in rows if r[i]) for i in range(width)]

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(padded).rstrip()

    header = line(list(table.columns)) + "\n" + "  ".join("─" * w for w in widths)
    return header, [line(row) for row in rows]


def _looks_numeric(cell: str) -> bool:
    return any(c.isdigit() for c in cell) and not any(c.isalpha() for c in cell.replace("€", ""))


def table_blocks(table: Table, limit: int = MAX_MESSAGE) -> list[str]:
    """The table as monospace blocks under `limit`, each repeating the header."""
    header, lines = table_lines(table)
    blocks: list[str] = []
    current = header
    for row in lines:
        if utf16_len(current) + 1 + utf16_len(row) > limit and current != header:
            blocks.append(current)
            current = header
        current = f"{current}\n{row}"
    blocks.append(current)
    return [block[:limit] for block in blocks]


def keyboard_rows(buttons: list[Button]) -> list[list[Button]]:
    """Inline keyboard rows: short labels two by two, long ones on their own row.

    A key longer than Telegram's callback data limit cannot be sent; it is logged and
    left out rather than truncated into a different key.
    """
    rows: list[list[Button]] = []
    for button in buttons:
        if len(button.key.encode("utf-8")) > MAX_CALLBACK_DATA:
            log.error("button key longer than %d bytes dropped: %r", MAX_CALLBACK_DATA, button.key)
            continue
        short = len(button.label) <= SHORT_LABEL
        if short and rows and len(rows[-1]) == 1 and len(rows[-1][0].label) <= SHORT_LABEL:
            rows[-1].append(button)
        else:
            rows.append([button])
    return rows


def pressed_note(message_text: str, label: str) -> str:
    """The text of a question message edited to show the answer chosen under it."""
    return f"{message_text}\n\n» {label}"
