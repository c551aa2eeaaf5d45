"""Conversation transcripts as data: one generic runner for tests/dialogs/transcripts/*.yaml.

A transcript is a list of turns. `user` is what the person does:
- a string: typed text ("/start" begins the conversation; other "/x" are commands);
- `{button: key}`, `{command: name, arg: ...}`, or `{start: {prefill: {...}}}`.
`bot` is what must hold after that turn (a turn with only `bot` checks the previous turn):
- `says` / `not_says`: substrings of the replies' text (all of them / none of them);
- `buttons` / `no_buttons`: button keys offered (all of them / none of them);
- `asks`: the field of the question now open; `mode`: ask | summary | result | forget;
- `verdicts`: {regime: verdict} of the receipt produced by this turn;
- `table`: a reply carries a table; `erase`: the state asks storage to erase; `done`.

Every turn also checks the transport invariants: at least one reply, no empty text, button
keys ASCII and at most 64 bytes, and a state that survives a JSON round trip (the state
passed to the next turn is the round-tripped one, as storage would give it back).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs import step
from dialogs.events import ERASE_KEY, RECEIPT_KEY, Event, Reply

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))
DEFAULT_NOW = datetime(2024, 3, 15, 10, 0)


def _event(user: Any, lang: str) -> Event:
    if isinstance(user, bool):
        raise ValueError("quote yes/no/on/off in transcripts: YAML reads them as booleans")
    if isinstance(user, float):
        raise ValueError(f"quote {user!r}: YAML reads 250.000 as the float 250.0")
    if isinstance(user, int):
        user = str(user)
    if isinstance(user, str):
        if user.strip() == "/start":
            return Event.start(lang=lang)
        return Event.typed(user, lang=lang)
    if "button" in user:
        return Event.button(str(user["button"]), lang=lang)
    if "command" in user:
        arg = user.get("arg")
        return Event.command(str(user["command"]), str(arg) if arg else None, lang=lang)
    if "start" in user:
        return Event.start(lang=lang, prefill=(user["start"] or {}).get("prefill"))
    raise ValueError(f"unknown user turn {user!r}")


def _check_invariants(state: dict[str, Any], replies: list[Reply]) -> None:
    assert replies, "every event gets at least one reply"
    for reply in replies:
        assert reply.text.strip(), "no empty reply"
        for button in reply.buttons:
            assert button.key.isascii() and len(button.key.encode()) <= 64, button.key
            assert button.label.strip()
    assert json.loads(json.dumps(state)) == state, "state is JSON-serialisable"


def _plain(text: str) -> str:
    """Babel's no-break spaces (U+00A0, U+202F) read as plain spaces in transcripts."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _check(expect: dict[str, Any], state: dict[str, Any], replies: list[Reply], where: str) -> None:
    text = _plain("\n".join(r.text for r in replies))
    keys = [b.key for r in replies for b in r.buttons]
    for phrase in map(_plain, expect.get("says", [])):
        assert phrase in text, f"{where}: expected {phrase!r} in:\n{text}"
    for phrase in map(_plain, expect.get("not_says", [])):
        assert phrase not in text, f"{where}: did not expect {phrase!r} in:\n{text}"
    for key in expect.get("buttons", []):
        assert key in keys, f"{where}: expected button {key!r} in {keys}"
    for key in expect.get("no_buttons", []):
        assert key not in keys, f"{where}: did not expect button {key!r} in {keys}"
    if "asks" in expect:
        assert state["mode"] == "ask" and state["q"] == expect["asks"], (
            f"{where}: expected question {expect['asks']!r}, got {state['mode']}/{state.get('q')}"
            f"\n{text}"
        )
    if "mode" in expect:
        assert state["mode"] == expect["mode"], f"{where}: mode {state['mode']}\n{text}"
    if "verdicts" in expect:
        receipt = state.get(RECEIPT_KEY)
        assert receipt, f"{where}: expected a result (receipt) on this turn\n{text}"
        for regime, verdict in expect["verdicts"].items():
            assert receipt["verdicts"][regime] == verdict, (
                f"{where}: {regime} is {receipt['verdicts'][regime]}, expected {verdict}\n{text}"
            )
    if "table" in expect:
        assert any(r.table is not None for r in replies) == bool(expect["table"]), where
    if "erase" in expect:
        assert bool(state.get(ERASE_KEY)) == bool(expect["erase"]), where
    if "done" in expect:
        assert state["done"] == expect["done"], where


def run_transcript(data: dict[str, Any]) -> None:
    lang = data.get("lang", "en")
    now = data.get("now", DEFAULT_NOW)
    if not isinstance(now, datetime):
        now = datetime.fromisoformat(str(now))
    state: dict[str, Any] | None = None
    replies: list[Reply] = []
    for number, turn in enumerate(data["turns"], 1):
        where = f"turn {number}"
        if "user" in turn:
            state, replies = step(state, _event(turn["user"], lang), now)
            _check_invariants(state, replies)
        assert state is not None, f"{where}: a transcript starts with a user turn"
        _check(turn.get("bot") or {}, state, replies, where)
        # what storage does: keep the receipt/erase flags out of the persisted state
        state = json.loads(json.dumps(state))
        state.pop(RECEIPT_KEY, None)
        if state.pop(ERASE_KEY, None):
            state = None


def test_there_are_enough_transcripts() -> None:
    assert len(TRANSCRIPTS) >= 20


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data.get("name"), "every transcript has a name"
    run_transcript(data)
