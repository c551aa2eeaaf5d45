"""`leenwijzer telegram` as a process: migrates, polls, answers, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.bot.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.bot.telegram.harness import wait_until

ROOT = Path(__file__).resolve().parents[3]


async def test_leenwijzer_telegram_polls_answers_and_stops_on_sigterm(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.base_url,
        "LEENWIJZER_DATA_DIR": str(tmp_path),
    }
    for name in ("DATABASE_URL", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_LIBRARY"):
        env.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "telegram", cwd=tmp_path, env=env
    )
    try:
        await wait_until(lambda: bool(fake.called("getUpdates")), "the bot to poll")
        await fake.inject(fake.text_update(42, "/start", lang="fr"))
        await wait_until(lambda: bool(fake.sent_to(42)), "the answer")
        assert "Bonjour" in fake.texts_to(42)[0]
        assert (tmp_path / "leenwijzer.sqlite3").exists()  # SQLite in LEENWIJZER_DATA_DIR
    finally:
        fake.release_polls()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0
