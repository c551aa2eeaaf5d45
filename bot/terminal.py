"""`leenwijzer chat`: the conversation in a terminal, no storage (the state lives in memory).

Interactive when stdin is a terminal (a "> " prompt); otherwise it reads one answer per
line and prints every reply, so a conversation can be scripted:

    printf '1\\ntoday\\n2000\\n' | leenwijzer chat --lang nl

Buttons are shown as numbered choices and can be answered by their number. Lines that
start with "/" are commands (/back, /restart, /language fr, /help, /forget, /advisor).
A repayment table asked for as PDF or CSV is written to the current directory.
A turn that fails unexpectedly is logged and answered with the dialog's apology; the
conversation goes on from where it was.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from dialogs import apology, step
from dialogs.events import Event, Reply, Table

log = logging.getLogger(__name__)


def render_table(table: Table) -> str:
    """A plain-text table with aligned columns (numbers right-aligned)."""
    cells = [table.columns, *table.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    lines = []
    for index, row in enumerate(cells):
        parts = [cell.rjust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(parts))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def render_reply(reply: Reply) -> str:
    """One reply as terminal text: the text, the table, then the numbered buttons."""
    parts = [reply.text] if reply.text else []
    if reply.table is not None:
        parts.append(render_table(reply.table))
    if reply.buttons:
        parts.append("\n".join(f"  [{n}] {b.label}" for n, b in enumerate(reply.buttons, 1)))
    return "\n".join(parts)


def save_document(reply: Reply, directory: Path) -> Reply:
    """Write the reply's attachment into `directory`; the reply then names the file."""
    from dialogs.documents import render_document

    assert reply.document is not None
    rendered = render_document(reply.document)
    target = directory / rendered.filename
    target.write_bytes(rendered.content)
    return Reply(f"{reply.text}\n→ {target}", reply.buttons, reply.table)


def event_for(line: str, buttons: list[Any]) -> Event:
    """The event a typed line stands for: a command, a numbered button, or text."""
    text = line.strip()
    if text.startswith("/"):
        name, _, arg = text[1:].partition(" ")
        if name == "start":
            return Event.start()
        return Event.command(name.lower(), arg.strip() or None)
    if text.isdecimal() and buttons and len(text) <= 2 and 1 <= int(text) <= len(buttons):
        return Event.button(buttons[int(text) - 1].key)
    return Event.typed(text)


def load_prefill(path: str) -> dict[str, Any]:
    """Read a case JSON file (evaluate contract) to prefill the conversation."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("a case is a JSON object")
    return data


def turn(state: dict[str, Any] | None, event: Event) -> tuple[dict[str, Any] | None, list[Reply]]:
    """One step; when it raises, the apology and the state as it was (logged once)."""
    now = datetime.now()
    try:
        return step(state, event, now)
    except Exception:
        log.exception("turn failed in the terminal chat: answered with an apology")
        return state, apology(state, event, now)


def chat(
    lang: str | None,
    prefill: dict[str, Any] | None,
    stdin: TextIO,
    stdout: TextIO,
    interactive: bool,
) -> int:
    """Run one conversation over the given streams until end of input."""
    state, replies = turn(None, Event.start(lang=lang, prefill=prefill))
    buttons: list[Any] = []
    while True:
        for reply in replies:
            if reply.document is not None:
                reply = save_document(reply, Path.cwd())
            stdout.write(render_reply(reply) + "\n\n")
            if reply.buttons:
                buttons = list(reply.buttons)
        stdout.flush()
        if interactive:
            try:
                line = input("> ")
            except EOFError:
                return 0
        else:
            line = stdin.readline()
            if not line:
                return 0
            stdout.write(f"> {line.rstrip()}\n")
        if not line.strip():
            replies = []
            continue
        state, replies = turn(state, event_for(line, buttons))


def run_chat(lang: str | None, prefill_path: str | None) -> int:
    """Entry point of `leenwijzer chat [--lang] [--prefill CASE.json]`."""
    prefill = None
    if prefill_path:
        try:
            prefill = load_prefill(prefill_path)
        except (OSError, ValueError) as err:
            sys.stderr.write(f"leenwijzer chat: cannot read {prefill_path}: {err}\n")
            return 2
        except RecursionError:
            sys.stderr.write(f"leenwijzer chat: cannot read {prefill_path}: nested too deeply\n")
            return 2
    try:
        return chat(lang, prefill, sys.stdin, sys.stdout, sys.stdin.isatty())
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        return 0
