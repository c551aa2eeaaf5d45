"""Per-client token buckets, in memory: enough for one process, bounded in size.

Each client (IP address) owns a bucket of `burst` tokens that refills at `per_second`.
A request takes one token; an empty bucket means 429 with the seconds until the next
token. The table of buckets is an LRU capped at `max_clients` so a flood of spoofed
addresses cannot grow memory without bound.

The limit is per worker process: buckets are not shared, so behind a proxy spreading
requests over N workers (deploy/compose.yaml) a client may get up to N times the rate.
That is enough to stop one noisy client; a hard global quota would belong in the proxy or
a shared store. The client key is the address uvicorn reports, which is the visitor's only
when the proxy is trusted for X-Forwarded-For (`FORWARDED_ALLOW_IPS`); otherwise every
visitor shares the proxy's bucket.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """Decides, per client key, whether one more request may pass now."""

    def __init__(
        self,
        per_second: float,
        burst: int,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_second = per_second
        self.burst = burst
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def acquire(self, client: str) -> float:
        """Take a token for `client`: 0.0 when allowed, else the seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        bucket = self._buckets.pop(client, None)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated=now)
        else:
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
            bucket.updated = now
        self._buckets[client] = bucket
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.per_second


def retry_after_header(wait_seconds: float) -> str:
    """The Retry-After value (whole seconds, at least 1) for a wait."""
    return str(max(1, math.ceil(wait_seconds)))
