"""The README's install-and-run command works from a clean clone.

Clones the committed HEAD into a temporary folder, makes a virtual environment that sees
the system's packages (so no dependency is downloaded), runs the README's install command
there, then its `leenwijzer serve` on a free port, and expects `/healthz` to answer 200,
the widget and the demo page to be served from the installed package, and a chat turn to
work on the default SQLite storage with no token.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def readme_install_and_run() -> tuple[str, str]:
    """The first command of the README's "Two commands": (install part, run part)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    first = re.findall(r"```sh\n(.*?)```", section, re.S)[0].strip()
    install, run = (part.strip() for part in first.split("&&", 1))
    return install, run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(venv: Path) -> dict[str, str]:
    """A newcomer's environment: the venv first on PATH, no database or token set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LEENWIJZER_"))}
    env.pop("DATABASE_URL", None)
    env.pop("PYTHONPATH", None)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_clean_clone_installs_and_serves(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    install, run = readme_install_and_run()
    assert install.startswith("pip install")
    assert run == "leenwijzer serve"

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = clean_env(venv)
    installed = subprocess.run(
        ["bash", "-c", install], cwd=clone, env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    assert (venv / "bin" / "leenwijzer").exists()

    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            ["bash", "-c", f"exec {run} --port {port}"],
            cwd=clone,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        health = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        output = log_path.read_text()
        assert health is not None, f"serve never answered:\n{output[-3000:]}"
        assert health.status_code == 200, output[-3000:]
        assert health.json() == {"status": "ok"}
        assert httpx.get(f"{base}/widget.js").status_code == 200
        assert "widget.js" in httpx.get(f"{base}/?lang=fr").text
        turn = httpx.post(f"{base}/api/v1/chat", json={"lang": "fr", "event": {"type": "start"}})
        assert turn.status_code == 200, turn.text
        assert turn.json()["replies"]
        assert (clone / "leenwijzer.sqlite3").exists()  # SQLite in the working directory
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
