"""Web-only knobs (rate limit, body cap), read from the environment.

They live here rather than in `bot.settings` because only the web edge uses them; tests
pass a `WebConfig` to `create_app` directly instead of touching the environment.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebConfig(BaseSettings):
    """Limits that protect the API from one noisy client.

    `rate_limit_per_second` is the steady rate of API requests per client IP; a client may
    burst up to `rate_limit_burst` requests before being slowed. 0 per second disables the
    limit (benchmarks). `max_body_bytes` caps every request body (413 above it).
    The rate is per worker process: N workers let a client through up to N times as often.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    rate_limit_per_second: float = Field(
        default=2.0, ge=0, alias="LEENWIJZER_RATE_LIMIT_PER_SECOND"
    )
    rate_limit_burst: int = Field(default=60, ge=1, alias="LEENWIJZER_RATE_LIMIT_BURST")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, alias="LEENWIJZER_MAX_BODY_BYTES")
