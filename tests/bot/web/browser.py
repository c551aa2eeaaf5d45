"""Debian Chromium through Playwright, never a downloaded browser; skip when absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: CI sets LEENWIJZER_REQUIRE_BROWSER=1: there a missing browser fails instead of skipping.
BROWSER_REQUIRED = os.environ.get("LEENWIJZER_REQUIRE_BROWSER") == "1"

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not BROWSER_REQUIRED,
    reason="Debian chromium (/usr/bin/chromium) is not installed",
)


def launch() -> Iterator[object]:
    """A headless Chromium for a test module (the Playwright Browser)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing but LEENWIJZER_REQUIRE_BROWSER=1")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
