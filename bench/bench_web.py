"""Load on `POST /api/v1/chat` from a second process, on loopback, against SQLite.

Starts `leenwijzer serve` (the real app: real dialog, real storage on a fresh SQLite file,
rate limit off) as a subprocess on a free port, then, from this process, runs virtual
users that each hold a real conversation (buttons and typed answers, like a person) and
time every turn. The same server's `GET /healthz` (one trivial SELECT) is timed the same
way as the floor. Bounded in turns and in seconds.

    python bench/bench_web.py                       # 1 and 8 concurrent users
    python bench/bench_web.py --turns 400 --seconds 30 --users 1 4 16

Prints turns/s and p50/p99 latency in milliseconds per concurrency level.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent

#: Button keys a lender from Flanders picks, in order of preference (stable keys).
PREFERRED = (
    "role.lender",
    "today",
    "region.flanders",
    "form.company",
    "repay.annuity",
    "freq.annual",
    "confirm",
    "zero",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def next_event(body: dict[str, Any]) -> dict[str, Any]:
    """What a person would send next: a preferred button, "no", or a typed number."""
    if body["done"]:
        return {"type": "command", "name": "restart"}
    reply = body["replies"][-1]
    keys = [b["key"] for b in reply.get("buttons", [])]
    if "yes" in keys:
        natural = "natuurlijke persoon" in reply["text"] or "economische" in reply["text"]
        return {"type": "button", "key": "yes" if natural else "no"}
    for key in PREFERRED:
        if key in keys:
            return {"type": "button", "key": key}
    small = "VTE" in reply["text"] or "rentevoet" in reply["text"] or "looptijd" in reply["text"]
    return {"type": "text", "text": "3" if small else "10.000"}


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


async def chat_user(
    client: httpx.AsyncClient, budget: dict[str, Any], latencies: list[float]
) -> None:
    """One virtual user: converses until the shared turn or time budget is spent."""
    body: dict[str, Any] | None = None
    session: str | None = None
    while budget["left"] > 0 and time.perf_counter() < budget["until"]:
        budget["left"] -= 1
        event = {"type": "start"} if body is None else next_event(body)
        payload: dict[str, Any] = {"lang": "nl", "event": event}
        if session:
            payload["session"] = session
        started = time.perf_counter()
        response = await client.post("/api/v1/chat", json=payload)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        body = response.json()
        session = body["session"]
        budget["results"] += bool(body["done"])


async def health_user(
    client: httpx.AsyncClient, budget: dict[str, Any], latencies: list[float]
) -> None:
    while budget["left"] > 0 and time.perf_counter() < budget["until"]:
        budget["left"] -= 1
        started = time.perf_counter()
        response = await client.get("/healthz")
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()


async def measure(base: str, kind: str, users: int, turns: int, seconds: float) -> str:
    latencies: list[float] = []
    budget: dict[str, Any] = {"left": turns, "until": time.perf_counter() + seconds, "results": 0}
    worker = chat_user if kind == "chat" else health_user
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        # Sessions travel in the bodies; the shared cookie jar is overridden by them.
        started = time.perf_counter()
        await asyncio.gather(*(worker(client, budget, latencies) for _ in range(users)))
        elapsed = time.perf_counter() - started
    rate = len(latencies) / elapsed
    return (
        f"{kind:8} users={users:<3} n={len(latencies):<5} {rate:8.1f} req/s   "
        f"p50 {percentile(latencies, 50) * 1000:7.2f} ms   "
        f"p99 {percentile(latencies, 99) * 1000:7.2f} ms"
        + (f"   ({budget['results']} results reached)" if kind == "chat" else "")
    )


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        LEENWIJZER_DATA_DIR=str(data_dir),
        LEENWIJZER_RATE_LIMIT_PER_SECOND="0",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DATABASE_URL", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]
    return subprocess.Popen(
        command, cwd=data_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=400, help="requests per measurement")
    parser.add_argument("--seconds", type=float, default=20.0, help="time cap per measurement")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(Path(tmp), port)
        try:
            wait_ready(base, server)
            print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, SQLite, {base}")
            for users in args.users:
                for kind in ("healthz", "chat"):
                    # warm-up, not reported
                    asyncio.run(measure(base, kind, users, 20, 5))
                    print(asyncio.run(measure(base, kind, users, args.turns, args.seconds)))
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
