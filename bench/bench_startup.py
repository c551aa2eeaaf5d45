"""Cold start and memory of `leenwijzer serve`: time to a healthy /healthz, RSS per worker.

Starts `leenwijzer serve` (no Telegram token, a fresh SQLite file in a temporary data
directory, so the migrations run as on a first start) on a free loopback port, polls
`GET /healthz` every 5 ms from this process and times the wall clock from the spawn to
the first 200. Then it sends a few ordinary requests (health checks, the demo page, an
evaluate of a 10-year monthly loan, a chat start and answers) and reads the server's
resident memory (VmRSS, and its peak VmHWM) from /proc/<pid>/status. Repeated
`--starts` times; prints each start and the medians, with the CPU time the server used
until healthy (from /proc/<pid>/stat: a figure that other processes on the cores hardly
inflate). `--restart` reuses one migrated data directory instead: a worker's restart.
Bounded: each start gives up after `--timeout` seconds, and the server is always stopped.

    python bench/bench_startup.py                 # 5 first starts
    python bench/bench_startup.py --restart       # 5 restarts on a migrated database
    python bench/bench_startup.py --starts 9 --timeout 30
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from bench_rules import ELIGIBLE_CASE  # noqa: E402


def free_port() -> int:
    """A port nobody listens on at the moment, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def request(port: int, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
    """One request on a fresh connection; (status, body). Raises OSError when refused."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in KiB, from /proc/<pid>/status."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc/<pid>/stat: unlike
    the wall clock, hardly inflated when other processes share the cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """`leenwijzer serve` as a worker would run it, without a Telegram token."""
    env = dict(os.environ)
    env.update(LEENWIJZER_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL"):
        env.pop(name, None)
    command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]
    return subprocess.Popen(
        command, cwd=data_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def exercise(port: int) -> None:
    """The requests of an ordinary first minute: health, page, evaluate, a short chat."""
    for _ in range(10):
        request(port, "GET", "/healthz")
    request(port, "GET", "/")
    status, _ = request(port, "POST", "/api/v1/evaluate", ELIGIBLE_CASE)
    if status != 200:
        raise SystemExit(f"evaluate answered {status}")
    status, raw = request(port, "POST", "/api/v1/chat", {"lang": "nl", "event": {"type": "start"}})
    if status != 200:
        raise SystemExit(f"chat answered {status}")
    session = json.loads(raw)["session"]
    for key in ("role.lender", "today", "region.flanders"):
        event = {"type": "button", "key": key}
        request(port, "POST", "/api/v1/chat", {"lang": "nl", "session": session, "event": event})


def one_start(data_dir: Path, timeout: float) -> tuple[float, float, int, int]:
    """(seconds to a healthy /healthz, CPU seconds by then, VmRSS KiB, VmHWM KiB)."""
    port = free_port()
    spawned = time.perf_counter()
    server = start(data_dir, port)
    try:
        deadline = spawned + timeout
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with {server.returncode}")
            if time.perf_counter() > deadline:
                raise SystemExit(f"no healthy /healthz within {timeout} s")
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.005)
        healthy = time.perf_counter() - spawned
        cpu = cpu_seconds(server.pid)
        exercise(port)
        rss, peak = memory_kib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    return healthy, cpu, rss, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="cold starts to measure")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per start")
    parser.add_argument(
        "--restart",
        action="store_true",
        help="reuse one data directory, migrated by an unmeasured first start (a restart)",
    )
    args = parser.parse_args(argv)
    kind = "restarts on a migrated database" if args.restart else "first starts (migrations)"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, SQLite, no Telegram token")
    print(f"{args.starts} {kind}")
    results = []
    with tempfile.TemporaryDirectory() as shared:
        if args.restart:
            one_start(Path(shared), args.timeout)
        for number in range(1, args.starts + 1):
            with tempfile.TemporaryDirectory() as fresh:
                data_dir = Path(shared if args.restart else fresh)
                results.append(one_start(data_dir, args.timeout))
            healthy, cpu, rss, peak = results[-1]
            print(
                f"start {number}: healthy after {healthy * 1000:6.0f} ms "
                f"(CPU {cpu * 1000:5.0f} ms)   RSS {rss / 1024:5.1f} MiB   peak {peak / 1024:5.1f} MiB"
            )
    healthy, cpu, rss, peak = (statistics.median(column) for column in zip(*results, strict=True))
    print(
        f"median:  healthy after {healthy * 1000:6.0f} ms (CPU {cpu * 1000:5.0f} ms)   "
        f"RSS {rss / 1024:5.1f} MiB   peak {peak / 1024:5.1f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
