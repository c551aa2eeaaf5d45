"""`LEENWIJZER_DATA_DIR` (where the default SQLite file lives): a folder that does not exist
yet is created, parents too; one that cannot be is one clear line and exit 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.bot.web.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def env_with(data_dir: Path | str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEENWIJZER_DATA_DIR": str(data_dir)}
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL"):
        env.pop(name, None)
    return env


def leenwijzer(
    *args: str, data_dir: Path | str, cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = env_with(data_dir)
    if args[0] == "telegram":  # a token (never used: it stops before any Bot API call)
        env["TELEGRAM_BOT_TOKEN"] = "123:not-a-real-token"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_clear_line(done: subprocess.CompletedProcess[str], data_dir: Path) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "LEENWIJZER_DATA_DIR" in lines[0] and str(data_dir) in lines[0]


def test_db_upgrade_creates_a_missing_data_dir_with_its_parents(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"
    done = leenwijzer("db", "upgrade", data_dir=data_dir, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (data_dir / "leenwijzer.sqlite3").is_file()


def test_a_file_in_the_way_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    for data_dir in (blocker, blocker / "below"):
        for command in (("db", "upgrade"), ("serve", "--port", str(free_port())), ("telegram",)):
            assert_one_clear_line(leenwijzer(*command, data_dir=data_dir, cwd=tmp_path), data_dir)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_without_permission_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        for data_dir in (locked, locked / "below"):
            done = leenwijzer("db", "upgrade", data_dir=data_dir, cwd=tmp_path)
            assert_one_clear_line(done, data_dir)
    finally:
        locked.chmod(0o700)


def test_a_read_only_folder_is_refused_even_for_root(tmp_path: Path) -> None:
    """/proc is not writable by anybody: the check does not rely on permission bits."""
    data_dir = Path("/proc/leenwijzer-data")
    done = leenwijzer("db", "upgrade", data_dir=data_dir, cwd=tmp_path)
    assert_one_clear_line(done, data_dir)


def test_serve_creates_a_missing_data_dir_and_answers(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env_with(data_dir),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and server.poll() is None and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.2)
        output = (tmp_path / "serve.log").read_text()
        assert status == 200, output[-3000:]
        assert (data_dir / "leenwijzer.sqlite3").is_file()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
