"""Turn time of `bot.service.handle` (load → step → save) on SQLite and PostgreSQL.

Runs short real conversations (a Walloon lender: five turns to a result, the result turn
including the rules evaluation and a receipt row) and prints the median and p99 of one
turn, per backend. PostgreSQL is measured when --postgres (or TEST_DATABASE_URL) gives a
server; a fresh schema is created for the run and dropped afterwards.

    python bench/bench_turns.py [--conversations 200] [--postgres postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from bot import service  # noqa: E402
from bot.storage.engine import normalize_url  # noqa: E402
from dialogs.events import Event  # noqa: E402

CONVERSATION = [
    Event.start(lang="fr"),
    Event.button("role.lender"),
    Event.typed("aujourd'hui"),
    Event.typed("5000"),
    Event.button("confirm"),
]


async def measure(database_url: str, conversations: int) -> list[float]:
    """Seconds per turn, over `conversations` conversations run one after the other."""
    service.configure(database_url)
    timings: list[float] = []
    for n in range(conversations):
        for i, event in enumerate(CONVERSATION):
            started = time.perf_counter()
            await service.handle("bench", f"user{n}", event, update_id=f"{n}-{i}")
            timings.append(time.perf_counter() - started)
    service.engine().dispose()
    return timings


def measure_step_only(conversations: int) -> list[float]:
    """Seconds per `dialogs.step` call alone, to separate the dialog from the database."""
    from datetime import UTC, datetime

    from dialogs import step

    timings: list[float] = []
    for _ in range(conversations):
        state = None
        for event in CONVERSATION:
            started = time.perf_counter()
            state, _replies = step(state, event, datetime.now(UTC))
            timings.append(time.perf_counter() - started)
    return timings


def report(name: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:<10} turns={len(timings):>5}  median={statistics.median(ordered) * 1000:6.2f} ms"
        f"  p99={p99 * 1000:6.2f} ms"
    )


def postgres_schema_url(base: str) -> tuple[str, str]:
    schema = f"lw_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = make_url(normalize_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_schema(base: str, schema: str) -> None:
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    report("step only", measure_step_only(args.conversations))
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        report("sqlite", asyncio.run(measure(sqlite_url, args.conversations)))
    if args.postgres:
        url, schema = postgres_schema_url(args.postgres)
        try:
            report("postgresql", asyncio.run(measure(url, args.conversations)))
        finally:
            drop_schema(args.postgres, schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
