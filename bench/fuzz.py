"""Fuzz the web API and the evaluate CLI of a real `leenwijzer serve`: 0 × 5xx, 0 tracebacks.

Starts `leenwijzer serve` (no Telegram token, rate limit off, its output captured to a
file) on a free loopback port, on a fresh SQLite file and, with `--postgres URL`, once
more on a fresh PostgreSQL schema (dropped afterwards). Against each server, from this
process:

- chat: a few threads of sessions doing `POST /api/v1/chat` turns: buttons from the
  previous reply, forged button keys, odd texts (27-digit amounts, exponents, NaN, unicode
  digits, control characters, 4,000 characters, commands with odd arguments), `turn` ids
  with repeats (a repeat must give the same replies), prefills with junk fields, wrong
  event types, malformed JSON, wrong content types, over-sized bodies;
- evaluate: mutations of a valid case (wrong types, floats, huge or negative numbers,
  impossible dates, unknown keys and regions, deep nesting, bytes that are not UTF-8) on
  `POST /api/v1/evaluate`, a sample on `POST /api/v1/schedule` with random
  regime/format/lang, and a sample through `leenwijzer evaluate -` (exit 0 or 2, never a
  traceback).

Every request has the statuses the contracts allow (a well-formed chat turn 200; a
malformed one 413, 415 or 422; a case 200 or 422; a schedule 200, 409 or 422): a 5xx,
a status outside that set, a dropped connection, a timeout, a repeated turn with other
replies, a CLI exit 1 or a "Traceback" in the server's log or the CLI's stderr is a
failure. Prints a table per database; exits 1 on any failure. Bounded: `--turns` and
`--cases` requests, and `--seconds` per database.

    python bench/fuzz.py                                  # SQLite, 20,000 turns, 3,000 cases
    python bench/fuzz.py --postgres postgresql://postgres@127.0.0.1:5432/test --seed 7
    python bench/fuzz.py --turns 2000 --cases 300 --cli-cases 30
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import re
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from bench_rules import ELIGIBLE_CASE  # noqa: E402

from rules import REGIMES as RULE_REGIMES  # noqa: E402

CHAT = "/api/v1/chat"
EVALUATE = "/api/v1/evaluate"
SCHEDULE = "/api/v1/schedule"
JSON_TYPE = {"content-type": "application/json"}
#: The server's default body cap is 64 KiB; a body above it must get 413.
OVERSIZED = 64 * 1024 + 1
VALID = frozenset({200})
REFUSED = frozenset({413, 415, 422})
CASE_ANSWERS = frozenset({200, 422})
SCHEDULE_ANSWERS = frozenset({200, 409, 422})
REGIMES = tuple(regime.name for regime in RULE_REGIMES)

#: What a person would type, and what a fuzzer would: numbers in every odd shape.
ODD_TEXTS = (
    "1" * 27,
    "1" * 24 + "k",
    "9" * 400,
    "1e308",
    "1E-9999",
    "-1e5",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "١٢٣٤٥",  # Arabic-Indic digits
    "१०००",  # Devanagari
    "１０．０００",  # fullwidth
    "½",
    "²³",
    "0x1F",
    "0b101",
    "1_000",
    "10.000,50",
    "10,000.50",
    "1.2.3.4",
    "--5",
    "+5",
    "-0",
    "0",
    "00000000000000000000001",
    "5 %",
    "€ 10 000",
    "10k",
    "2,5m",
    "1.5 jaar",
    "2024-02-30",
    "9999-12-31",
    "0001-01-01",
    "31/12/9999",
    "yes",
    "nee",
    "oui",
    " ",
    "\t",
    "\u200b",
    "\ufeff12",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\r\n\r\n",
    "\ud7ff",
    "😀" * 50,
    "<script>alert(1)</script>",
    "'; DROP TABLE conversation; --",
    "%s%s%s%n",
    "{{7*7}}",
    "/start",
    "/start p_" + "A" * 80,
    "/start p_doesnotexist",
    "/back 12",
    "/restart now please",
    "/language",
    "/language xx",
    "/language " + "é" * 100,
    "/taal fr",
    "/help me",
    "/forget",
    "/advisor",
    "/" * 50,
    "/unknowncommand arg",
    "/" + "x" * 3000,
)
FORGED_KEYS = (
    "years.0",
    "years.999999",
    "years.-1",
    "years.1e9",
    "years." + "9" * 58,
    "amount.NaN",
    "edit.nonsense",
    "edit.",
    "edit.loan.amount",
    "edit." + "x" * 59,
    "region.mars",
    "region.",
    "role.admin",
    "freq.daily",
    "repay.never",
    "confirm.confirm",
    "handoff.yes",
    "handoff.no",
    "forget.yes",
    "forget.no",
    "doc.winwin.pdf",
    "doc.unknown.exe",
    "doc..",
    "lang.xx",
    ".",
    "..",
    " ",
    "~",
    "x" * 64,
)
COMMANDS = ("back", "restart", "language", "help", "forget", "advisor")
COMMAND_ARGS = (None, "", "fr", "nl", "en", "de", "FR", "x" * 64, "é", "\x00", "12")


@dataclass
class Tally:
    """Counts of one run, shared by the threads (under `lock`)."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    failure_count: int = 0
    turns: int = 0
    cases: int = 0
    schedules: int = 0
    cli_cases: int = 0
    replays: int = 0
    cli_exits: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failure_count += 1
            if len(self.failures) < 10:  # the first few, to reproduce; the rest counted
                self.failures.append(message[:600])

    def count(self, route: str, status: int) -> None:
        with self.lock:
            self.statuses[(route, status)] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.statuses.items() if status >= 500)


Poster = Callable[..., httpx.Response]


def send(
    client: httpx.Client,
    tally: Tally,
    route: str,
    body: bytes,
    allowed: frozenset[int],
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response | None:
    """POST `body` to `route`; count the status; a 5xx, a status outside `allowed`, a
    dropped connection or a timeout is a failure (and None is returned for the latter)."""
    try:
        response = client.post(
            route, content=body, headers=JSON_TYPE if headers is None else headers, params=params
        )
    except httpx.HTTPError as exc:
        tally.count(route, 0)
        tally.fail(f"{route}: {type(exc).__name__} {exc} for {body[:200]!r}")
        return None
    tally.count(route, response.status_code)
    if response.status_code >= 500 or response.status_code not in allowed:
        tally.fail(
            f"{route} {params or ''}: {response.status_code} (allowed {sorted(allowed)}) "
            f"for {body[:300]!r} -> {response.text[:200]!r}"
        )
    return response


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


# --- chat ------------------------------------------------------------------------------


def odd_text(rng: random.Random) -> str:
    """A typed answer: mostly odd shapes, sometimes long or random."""
    pick = rng.random()
    if pick < 0.6:
        return rng.choice(ODD_TEXTS)
    if pick < 0.7:
        return rng.choice(("x", "1", "€", "é", "9")) * rng.choice((3999, 4000))
    if pick < 0.8:
        return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 40)))
    if pick < 0.9:
        return str(rng.choice((1, 3, 5, 8, 10, 12, 20, 500, 10_000, 20_000, 1_500_000)))
    return "".join(rng.choice(string.printable) for _ in range(rng.randrange(1, 30)))


def forged_key(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.7:
        return rng.choice(FORGED_KEYS)
    if pick < 0.85:
        prefix = rng.choice(("years", "edit", "region", "doc", "role", "freq", "repay"))
        return f"{prefix}.{rng.randrange(-10, 10**12)}"
    return "".join(chr(rng.randrange(0x20, 0x7F)) for _ in range(rng.randrange(1, 65)))


def junk_prefill(rng: random.Random) -> Any:
    """A prefill: a valid part of the case, a mutated one, or not a case at all."""
    pick = rng.random()
    if pick < 0.3:
        part = rng.choice(("lender", "borrower", "loan"))
        return {part: copy.deepcopy(ELIGIBLE_CASE[part])}
    if pick < 0.8:
        return mutate_case(rng)
    return rng.choice(({}, {"junk": 1}, {"loan": "x"}, {"lender": []}, {"": None}))


@dataclass
class Conversation:
    """One client session as the fuzzer keeps it: the last answer and the turns sent."""

    session: str | None = None
    body: dict[str, Any] | None = None
    #: (session, turn) -> the replies the server gave, for the repeat check.
    answered: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    counter: int = 0


def person_event(rng: random.Random, convo: Conversation) -> dict[str, Any]:
    """What a person would do next: a button of the last reply, or a plausible answer."""
    if convo.body is None:
        return {"type": "start"}
    buttons = [b["key"] for r in convo.body.get("replies", []) for b in r.get("buttons") or []]
    if buttons and rng.random() < 0.8:
        return {"type": "button", "key": rng.choice(buttons)}
    return {"type": "text", "text": rng.choice(("3", "10", "12", "20000", "10.000", "4,5", "ja"))}


def wrap(convo: Conversation, event: Any, rng: random.Random) -> dict[str, Any]:
    payload: dict[str, Any] = {"event": event}
    if convo.session and rng.random() < 0.97:
        payload["session"] = convo.session
    if rng.random() < 0.9:
        payload["lang"] = rng.choice(("nl", "fr", "en"))
    return payload


def turn_id(rng: random.Random, convo: Conversation) -> str:
    convo.counter += 1
    pick = rng.random()
    if pick < 0.7:
        return str(convo.counter)
    if pick < 0.9:
        return uuid.UUID(int=rng.getrandbits(128)).hex
    return "".join(chr(rng.randrange(0x20, 0x7F)) for _ in range(rng.choice((1, 63, 64))))


def malformed_chat(rng: random.Random, convo: Conversation) -> tuple[bytes, dict[str, str]]:
    """A chat request the contract refuses (413, 415 or 422), as raw bytes and headers."""
    session = {"session": convo.session} if convo.session else {}
    pick = rng.randrange(16)
    if pick == 0:
        return b'{"event": {"type": "start"', JSON_TYPE
    if pick == 1:
        return b"\xff\xfe\x00garbage", JSON_TYPE
    if pick == 2:
        return dumps(
            {**session, "event": {"type": rng.choice(("click", "", "START", None, 1))}}
        ), JSON_TYPE
    if pick == 3:
        return dumps({**session, "event": {"type": "text"}}), JSON_TYPE
    if pick == 4:
        return dumps({**session, "event": {"type": "text", "text": "x" * 4001}}), JSON_TYPE
    if pick == 5:
        key = rng.choice(("x" * 65, "jaar.é", "\x00", "", "ключ", "a\nb"))
        return dumps({**session, "event": {"type": "button", "key": key}}), JSON_TYPE
    if pick == 6:
        name = rng.choice(("shutdown", "", "BACK", "start", None))
        return dumps({**session, "event": {"type": "command", "name": name}}), JSON_TYPE
    if pick == 7:
        return dumps(
            {**session, "event": {"type": "command", "name": "language", "arg": "x" * 65}}
        ), JSON_TYPE
    if pick == 8:
        bad_turn = rng.choice(("", "x" * 65, "é", "a\x00", "\n"))
        return dumps({**session, "turn": bad_turn, "event": {"type": "start"}}), JSON_TYPE
    if pick == 9:
        bad = rng.choice(("short", "x" * 200, "../../etc", "a b c d e f g h i j k", ""))
        return dumps({"session": bad, "event": {"type": "start"}}), JSON_TYPE
    if pick == 10:
        return dumps(
            {**session, "lang": rng.choice(("de", "NL", "", 1)), "event": {"type": "start"}}
        ), JSON_TYPE
    if pick == 11:
        return dumps({**session, "event": {"type": "start"}, "sesion": "typo"}), JSON_TYPE
    if pick == 12:
        return dumps(rng.choice(([], "start", 1, None, [{"event": {"type": "start"}}]))), JSON_TYPE
    if pick == 13:
        return b"x" * OVERSIZED, JSON_TYPE
    if pick == 14:
        depth = rng.choice((200, 5000, 30000))
        return b'{"event": ' + b"[" * depth + b"]" * depth + b"}", JSON_TYPE
    content_type = rng.choice(("text/plain", "application/x-www-form-urlencoded", "", "json"))
    return dumps({"event": {"type": "start"}}), {"content-type": content_type}


def chat_turn(client: httpx.Client, tally: Tally, rng: random.Random, convo: Conversation) -> None:
    """One fuzzed turn of `convo`, checked against the chat contract."""
    pick = rng.random()
    if pick < 0.12:
        body, headers = malformed_chat(rng, convo)
        send(client, tally, CHAT, body, REFUSED, headers=headers)
        return
    if pick < 0.2 and convo.answered:
        (session, turn), replies = rng.choice(list(convo.answered.items()))
        other = rng.choice(({"type": "text", "text": "999"}, {"type": "command", "name": "back"}))
        payload = {"session": session, "turn": turn, "event": other}
        response = send(client, tally, CHAT, dumps(payload), VALID)
        if response is not None and response.status_code == 200:
            answer = response.json()
            if answer.get("session") == session:
                with tally.lock:
                    tally.replays += 1
                if answer.get("replies") != replies:
                    tally.fail(
                        f"repeated turn {turn!r} of {session}: other replies {answer!r:.300}"
                    )
        return
    allowed = VALID
    event: dict[str, Any]
    if pick < 0.45:
        event = person_event(rng, convo)
    elif pick < 0.65:
        event = {"type": "text", "text": odd_text(rng)}
    elif pick < 0.77:
        event = {"type": "button", "key": forged_key(rng)}
    elif pick < 0.87:
        event = {"type": "command", "name": rng.choice(COMMANDS), "arg": rng.choice(COMMAND_ARGS)}
        if event["arg"] is None:
            del event["arg"]
    elif pick < 0.95:
        event = {"type": "start", "prefill": junk_prefill(rng)}
        allowed = CASE_ANSWERS  # a prefill is validated like /evaluate
    else:
        event = {"type": "start"}
    payload = wrap(convo, event, rng)
    new_turn = turn_id(rng, convo) if rng.random() < 0.7 else None
    if new_turn is not None:
        payload["turn"] = new_turn
    response = send(client, tally, CHAT, dumps(payload), allowed)
    if response is None or response.status_code != 200:
        return
    try:
        answer = response.json()
        replies = answer["replies"]
        session = answer["session"]
        if not isinstance(replies, list) or not isinstance(answer["done"], bool):
            raise TypeError("replies/done")
    except (ValueError, KeyError, TypeError) as exc:
        tally.fail(f"chat answer off contract ({exc}): {response.text[:300]!r}")
        return
    if new_turn is not None and (session == payload.get("session") or "session" not in payload):
        convo.answered[(session, new_turn)] = replies
        if len(convo.answered) > 50:
            convo.answered.pop(next(iter(convo.answered)))
    convo.session, convo.body = session, answer


def chat_worker(client: httpx.Client, tally: Tally, rng: random.Random, budget: Budget) -> None:
    """Conversations of 1 to 60 turns, one after another, until the budget is spent."""
    convo = Conversation()
    length = rng.randrange(1, 60)
    while budget.take("turns"):
        chat_turn(client, tally, rng, convo)
        with tally.lock:
            tally.turns += 1
        length -= 1
        if length <= 0:
            convo, length = Conversation(), rng.randrange(1, 60)


# --- evaluate ----------------------------------------------------------------------------

JUNK_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1.5,
    -0.0,
    1e308,
    10**30,
    -(10**30),
    "",
    " ",
    "-5",
    "-0.01",
    "1" * 27,
    "1" * 400,
    "1e9999",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "١٢",
    "1,5",
    "10.000",
    "4.5.6",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "2023-02-29",
    "2024-13-01",
    "24-03-15",
    "2024-03-15T10:00:00",
    "mars",
    "FLANDERS",
    "abroad",
    "\x00",
    "\ud800",
    "é" * 1000,
    [],
    [1, 2],
    {},
    {"x": 1},
    [[[[[[[[[[[]]]]]]]]]]],
)
DATE_VALUES = ("9999-12-31", "0001-01-01", "2024-02-30", "2024-02-29", "1900-01-01", "2999-01-01")
INT_FIELDS = ("years", "grace_years", "partner_years", "pmv_years", "years_registered")


def nested(depth: int) -> Any:
    value: Any = "0"
    for _ in range(depth):
        value = {"a": value}
    return value


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a JSON value (dict keys and list indices)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from paths(inner, (*prefix, index))


def base_case(rng: random.Random) -> dict[str, Any]:
    case = copy.deepcopy(ELIGIBLE_CASE)
    if rng.random() < 0.3:
        case["borrower"]["partners"] = [
            {
                "held_pct": "30",
                "linked": False,
                "investor_kind": "enterprise",
                "staff": "40",
                "turnover": "5000000",
                "balance_sheet": "3000000",
            }
        ]
    if rng.random() < 0.3:
        case["project"] = {
            "investment_need": "400000",
            "own_contribution": "60000",
            "partner_financing": "100000",
            "partner_years": 5,
            "pmv_years": 5,
            "pmv_amount": "150000",
        }
    return case


def valid_case(rng: random.Random) -> dict[str, Any]:
    """A well-formed case with random but plausible answers (extremes included), so that
    the answers with a simulation and a repayment table get their share of the load."""
    case = base_case(rng)
    loan = case["loan"]
    loan["amount"] = rng.choice(("1", "0.01", "500", "20000", "50000", "75000", "200000", "1" * 15))
    loan["rate_pct"] = rng.choice(("0", "0.5", "2", "4.5", "10", "99.99"))
    loan["years"] = rng.choice((1, 4, 5, 8, 10, 15, 40))
    loan["repayment"] = rng.choice(("bullet", "annuity", "linear"))
    loan["frequency"] = rng.choice(("monthly", "quarterly", "half_yearly", "annual"))
    loan["grace_years"] = rng.choice((0, 0, 1, 3))
    for side in ("lender", "borrower"):
        case[side]["region"] = rng.choice(("flanders", "brussels", "wallonia", "abroad"))
    case["borrower"]["legal_form"] = rng.choice(("self_employed", "company", "nonprofit"))
    case["closing_date"] = rng.choice(("2015-01-01", "2020-06-30", "2024-09-16", "2026-12-31"))
    for side, name in (("lender", "natural_person"), ("borrower", "economic_activity")):
        if rng.random() < 0.2:
            del case[side][name]
    return case


def mutate_case(rng: random.Random) -> Any:
    """A valid case with one to four random mutations (a JSON-serialisable value)."""
    case: Any = base_case(rng)
    for _ in range(rng.randrange(1, 5)):
        all_paths = list(paths(case)) if isinstance(case, dict) else []
        if not all_paths or rng.random() < 0.03:
            return rng.choice(JUNK_VALUES)
        where = rng.choice(all_paths)
        parent = case
        for part in where[:-1]:
            parent = parent[part]
        last = where[-1]
        kind = rng.randrange(10)
        if kind <= 3:
            parent[last] = rng.choice(JUNK_VALUES)
        elif kind == 4 and isinstance(parent, dict):
            del parent[last]
        elif kind == 5 and isinstance(parent, dict):
            parent[rng.choice(("junk", "Region", "amount ", "__proto__", "é", ""))] = 1
        elif kind == 6:
            parent[last] = nested(rng.choice((5, 50, 200)))
        elif kind == 7:
            field_name = rng.choice(INT_FIELDS)
            section = case.setdefault(rng.choice(("loan", "project", "borrower")), {})
            if isinstance(section, dict):
                section[field_name] = rng.choice((0, -1, 10**6, 10**18, 999, 1.0, "5", True))
        elif kind == 8:
            case["closing_date"] = rng.choice(DATE_VALUES)
        else:
            money = rng.choice(("amount", "rate_pct"))
            loan = case.get("loan")
            if isinstance(loan, dict):
                loan[money] = rng.choice(
                    (
                        "-1",
                        "0",
                        "0.001",
                        "1" * 27,
                        "9" * 40,
                        "1e3",
                        "0.0000001",
                        "100",
                        "1000000000",
                    )
                )
    return case


def malformed_case_bytes(rng: random.Random) -> tuple[bytes, dict[str, str]]:
    """A case as raw bytes: usually the JSON of a mutated case, sometimes broken JSON."""
    pick = rng.random()
    if pick < 0.25:
        return dumps(valid_case(rng)), JSON_TYPE
    if pick < 0.8:
        return dumps(mutate_case(rng)), JSON_TYPE
    raw = dumps(base_case(rng))
    kind = rng.randrange(9)
    if kind == 0:
        return raw[: rng.randrange(len(raw))], JSON_TYPE
    if kind == 1:
        at = rng.randrange(len(raw))
        return raw[:at] + bytes([rng.choice((0x80, 0xC3, 0xFF, 0xFE))]) + raw[at:], JSON_TYPE
    if kind == 2:
        return raw.replace(
            b'"20000"', rng.choice((b"NaN", b"Infinity", b"1e999", b"-0"))
        ), JSON_TYPE
    if kind == 3:
        return raw.replace(b"10,", b"1" + b"0" * 5000 + b","), JSON_TYPE
    if kind == 4:
        depth = rng.choice((1000, 30000))
        return b'{"loan": ' + b"[" * depth + b"]" * depth + b"}", JSON_TYPE
    if kind == 5:
        return raw[:-1] + b', "loan": {"amount": "1"}}', JSON_TYPE  # a duplicate key
    if kind == 6:
        return b"\xef\xbb\xbf" + raw, JSON_TYPE  # a byte-order mark
    if kind == 7:
        return raw + b" " * OVERSIZED, JSON_TYPE
    return raw, {"content-type": rng.choice(("text/csv", "multipart/form-data"))}


def case_worker(client: httpx.Client, tally: Tally, rng: random.Random, budget: Budget) -> None:
    while budget.take("cases"):
        body, headers = malformed_case_bytes(rng)
        allowed = CASE_ANSWERS if headers is JSON_TYPE else frozenset({415})
        if len(body) >= OVERSIZED:
            allowed = frozenset({413})
        response = send(client, tally, EVALUATE, body, allowed, headers=headers)
        if response is not None and response.status_code == 200:
            try:
                if not isinstance(response.json()["regimes"], list):
                    raise TypeError("regimes")
            except (ValueError, KeyError, TypeError) as exc:
                tally.fail(f"evaluate answer off contract ({exc}): {response.text[:300]!r}")
        with tally.lock:
            tally.cases += 1


def schedule_worker(client: httpx.Client, tally: Tally, rng: random.Random, budget: Budget) -> None:
    while budget.take("schedules"):
        case = valid_case(rng) if rng.random() < 0.6 else mutate_case(rng)
        odd_regime = rng.choice(("", "WINWIN", "x" * 40, "../etc", "é", "winwin "))
        params = {
            "regime": odd_regime if rng.random() < 0.1 else rng.choice(REGIMES),
            "format": rng.choice(("xlsx", "", "PDF"))
            if rng.random() < 0.1
            else rng.choice(("pdf", "csv")),
            "lang": rng.choice(("de", "", "NL"))
            if rng.random() < 0.1
            else rng.choice(("nl", "fr", "en")),
        }
        for name in list(params):
            if rng.random() < 0.05:
                del params[name]
        send(client, tally, SCHEDULE, dumps(case), SCHEDULE_ANSWERS, params=params)
        with tally.lock:
            tally.schedules += 1


def cli_case(tally: Tally, body: bytes, env: dict[str, str]) -> None:
    """`leenwijzer evaluate -` on `body`: exit 0 or 2, never a traceback."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "evaluate", "-"],
            input=body,
            capture_output=True,
            timeout=60,
            cwd=ROOT,
            env=env,
        )
    except subprocess.TimeoutExpired:
        tally.fail(f"evaluate CLI: timeout for {body[:200]!r}")
        return
    with tally.lock:
        tally.cli_cases += 1
        tally.cli_exits[done.returncode] += 1
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode not in (0, 2) or "Traceback" in stderr:
        tally.fail(f"evaluate CLI: exit {done.returncode} for {body[:200]!r}: {stderr[-400:]}")


# --- running -------------------------------------------------------------------------------


class Budget:
    """Request counts left per kind, and a deadline for all of them."""

    def __init__(self, counts: dict[str, int], seconds: float):
        self.left = dict(counts)
        self.until = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.timed_out = False

    def take(self, kind: str) -> bool:
        with self.lock:
            if time.monotonic() > self.until:
                self.timed_out = True
                return False
            if self.left.get(kind, 0) <= 0:
                return False
            self.left[kind] -= 1
            return True


@dataclass
class Plan:
    turns: int = 20_000
    cases: int = 3_000
    schedules: int = 300
    cli_cases: int = 300
    threads: int = 4
    seconds: float = 600.0
    seed: int = 1


def run_fuzz(
    make_client: Callable[[], httpx.Client],
    plan: Plan,
    tally: Tally,
    cli_env: dict[str, str] | None = None,
) -> Budget:
    """Run the plan's chat turns, cases and schedules on `plan.threads` threads (each with
    its own client and its own seeded random stream), and the CLI sample when `cli_env`
    is given. Returns the budget (its `timed_out` says whether the deadline cut it short)."""
    budget = Budget(
        {"turns": plan.turns, "cases": plan.cases, "schedules": plan.schedules}, plan.seconds
    )
    workers = (chat_worker, chat_worker, case_worker, schedule_worker)

    def run(index: int) -> None:
        rng = random.Random(plan.seed * 1000 + index)
        worker = workers[index % len(workers)]
        with make_client() as client:
            worker(client, tally, rng, budget)
            # A worker whose own kind is spent helps with the chat turns left.
            chat_worker(client, tally, rng, budget)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(max(plan.threads, 4))]
    for thread in threads:
        thread.start()
    if cli_env is not None and plan.cli_cases:
        rng = random.Random(plan.seed * 1000 + 999)
        bodies = [malformed_case_bytes(rng)[0] for _ in range(plan.cli_cases)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            for _ in pool.map(lambda b: cli_case(tally, b, cli_env), bodies):
                pass
    for thread in threads:
        thread.join()
    return budget


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A URL of `base_url` whose connections use a new, empty schema, dropped on exit."""
    from sqlalchemy import create_engine, make_url, text

    from bot.storage.engine import normalize_url

    base = normalize_url(base_url)
    schema = f"lw_fuzz_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def server_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL"):
        env.pop(name, None)
    env.update(
        LEENWIJZER_DATA_DIR=str(data_dir),
        LEENWIJZER_RATE_LIMIT_PER_SECOND="0",
        PYTHONPATH=str(ROOT),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def served(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`leenwijzer serve` on a free loopback port, output to `log_path`; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=env["LEENWIJZER_DATA_DIR"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"the server exited with {server.returncode}: see {log_path}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not come up: see {log_path}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=20)


def tracebacks(text: str) -> int:
    return len(re.findall(r"^Traceback \(most recent call last\)", text, flags=re.M))


def summary(name: str, tally: Tally, traces: int, elapsed: float, budget: Budget) -> str:
    lines = [
        f"== {name}: {elapsed:.1f} s"
        + ("  (deadline reached: counts cut short)" if budget.timed_out else ""),
        f"chat turns {tally.turns}   (repeated turns checked {tally.replays})",
        f"evaluate cases {tally.cases}   schedule requests {tally.schedules}   "
        f"CLI cases {tally.cli_cases} (exits {dict(sorted(tally.cli_exits.items()))})",
    ]
    for route in (CHAT, EVALUATE, SCHEDULE):
        counts = {s: n for (r, s), n in sorted(tally.statuses.items()) if r == route}
        lines.append(f"  {route:18} {counts}")
    lines.append(
        f"5xx {tally.server_errors}   tracebacks {traces}   failures {tally.failure_count}"
    )
    lines.extend(f"  ! {message}" for message in tally.failures)
    return "\n".join(lines)


def run_database(name: str, database_url: str | None, plan: Plan, keep_log: Path | None) -> bool:
    """One full run against a fresh server on one database; prints its table; True if clean."""
    with tempfile.TemporaryDirectory(prefix="lw-fuzz-") as tmp:
        data_dir = Path(tmp)
        env = server_env(data_dir, database_url)
        log_path = data_dir / "server.log"
        tally = Tally()
        started = time.monotonic()
        with served(env, log_path) as base:

            def make_client() -> httpx.Client:
                return httpx.Client(base_url=base, timeout=60)

            cli_env = server_env(data_dir, database_url)
            budget = run_fuzz(make_client, plan, tally, cli_env)
        elapsed = time.monotonic() - started
        log_text = log_path.read_text("utf-8", "replace")
        traces = tracebacks(log_text)
        if keep_log is not None:
            keep_log.write_text(log_text, "utf-8")
        print(summary(name, tally, traces, elapsed, budget), flush=True)
        return tally.server_errors == 0 and traces == 0 and tally.failure_count == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20_000, help="chat turns per database")
    parser.add_argument("--cases", type=int, default=3_000, help="evaluate cases per database")
    parser.add_argument("--schedules", type=int, default=300, help="schedule requests")
    parser.add_argument("--cli-cases", type=int, default=300, help="cases through the CLI")
    parser.add_argument("--threads", type=int, default=4, help="client threads (at least 4)")
    parser.add_argument("--seconds", type=float, default=600.0, help="time cap per database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", metavar="URL", help="also run on a fresh schema of it")
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL run")
    parser.add_argument("--keep-log", type=Path, help="copy the server's log here (a prefix)")
    args = parser.parse_args(argv)
    plan = Plan(
        turns=args.turns,
        cases=args.cases,
        schedules=args.schedules,
        cli_cases=args.cli_cases,
        threads=args.threads,
        seconds=args.seconds,
        seed=args.seed,
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, seed {args.seed}", flush=True)
    clean = True
    if not args.no_sqlite:
        log = args.keep_log.with_suffix(".sqlite.log") if args.keep_log else None
        clean &= run_database("SQLite", None, plan, log)
    if args.postgres:
        with postgres_schema(args.postgres) as url:
            log = args.keep_log.with_suffix(".postgres.log") if args.keep_log else None
            clean &= run_database("PostgreSQL", url, plan, log)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
