"""Pure pieces of the Telegram package: splitting, tables, keyboards, update translation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.settings import Settings
from bot.telegram.incoming import event_from_button, event_from_text, lang_hint
from bot.telegram.render import (
    MAX_MESSAGE,
    keyboard_rows,
    render,
    split_text,
    table_blocks,
    utf16_len,
)
from bot.telegram.runner import build_runner, webhook_path, webhook_secret
from dialogs.events import Button, Event, Reply, Table


def test_a_long_text_is_split_between_paragraphs_never_inside_one() -> None:
    paragraphs = [f"Paragraaf {i}: " + "woord " * 150 for i in range(12)]
    chunks = split_text("\n\n".join(paragraphs))
    assert len(chunks) > 1
    assert all(utf16_len(c) <= MAX_MESSAGE for c in chunks)
    assert "\n\n".join(chunks) == "\n\n".join(paragraphs)
    assert all(c.startswith("Paragraaf") for c in chunks)


def test_a_paragraph_longer_than_a_message_is_cut_between_words() -> None:
    chunks = split_text("€ " + "lening " * 1500)
    assert len(chunks) == 3
    assert all(0 < utf16_len(c) <= MAX_MESSAGE for c in chunks)
    assert all(not c.startswith(" ") and "lenin g" not in c for c in chunks)


@given(st.text(min_size=1, max_size=12000))
def test_splitting_keeps_every_character_under_the_limit(text: str) -> None:
    chunks = split_text(text, limit=500)
    assert all(utf16_len(c) <= 500 for c in chunks)
    kept = "".join(chunks).replace("\n", "").replace(" ", "")
    assert kept == text.replace("\n", "").replace(" ", "") or not text.strip()


def test_a_table_is_monospace_aligned_and_split_by_rows_with_the_header_repeated() -> None:
    rows = [[str(i), f"€ {i * 100:,}", "2024-01-01"] for i in range(1, 301)]
    blocks = table_blocks(Table(columns=["#", "Bedrag", "Datum"], rows=rows))
    assert len(blocks) > 1
    header = blocks[0].splitlines()[:2]
    assert header[0].split() == ["#", "Bedrag", "Datum"]
    assert all(b.splitlines()[:2] == header and utf16_len(b) <= MAX_MESSAGE for b in blocks)
    assert sum(len(b.splitlines()) - 2 for b in blocks) == 300
    first = blocks[0].splitlines()
    assert first[2] == "  1     € 100  2024-01-01"  # numbers right-aligned, text left
    assert len({len(line) for line in first}) == 1  # aligned columns


def test_render_puts_buttons_on_the_last_message_and_the_table_in_a_pre_entity() -> None:
    reply = Reply(
        text="Tabel",
        buttons=[Button("summary", "Overzicht"), Button("restart", "Opnieuw")],
        table=Table(columns=["a"], rows=[["1"]]),
    )
    text, table = render([reply])
    assert text.text == "Tabel" and not text.keyboard and not text.entities()
    assert table.entities() == [{"type": "pre", "offset": 0, "length": utf16_len(table.text)}]
    assert [[b.key for b in row] for row in table.keyboard] == [["summary", "restart"]]


def test_keyboards_pair_short_labels_keep_long_ones_alone_and_drop_oversized_keys() -> None:
    buttons = [
        Button("yes", "Ja"),
        Button("no", "Nee"),
        Button("role.lender", "Ik wil geld lenen aan een onderneming"),
        Button("x" * 65, "te lang"),
        Button("back", "Terug"),
    ]
    assert [[b.key for b in row] for row in keyboard_rows(buttons)] == [
        ["yes", "no"],
        ["role.lender"],
        ["back"],
    ]


def test_typed_text_and_buttons_become_events() -> None:
    """The adapter only translates: commands in typed text are the dialog's to read
    (tests/dialogs/test_typed_commands.py)."""
    assert event_from_text("/start@leenwijzer_bot deep", "nl-BE") == Event.typed(
        "/start@leenwijzer_bot deep", lang="nl"
    )
    assert event_from_text("50k", "fr") == Event.typed("50k", lang="fr")
    assert event_from_button("role.lender", "fr-BE") == Event.button("role.lender", lang="fr")
    assert [lang_hint(c) for c in ("nl", "NL-be", "fr", "de", "", None)] == [
        "nl",
        "nl",
        "fr",
        "en",
        "en",
        "en",
    ]


def test_webhook_settings_secret_and_path() -> None:
    plain = Settings(TELEGRAM_BOT_TOKEN="1:a", TELEGRAM_WEBHOOK_URL="https://x.be/tg/hook")
    assert webhook_path(plain) == "/tg/hook"
    derived = webhook_secret(plain)
    assert derived == webhook_secret(Settings(TELEGRAM_BOT_TOKEN="1:a"))  # same in every worker
    assert derived != webhook_secret(Settings(TELEGRAM_BOT_TOKEN="1:b"))
    assert derived.isalnum() and len(derived) == 64  # Telegram allows A-Z a-z 0-9 _ -
    assert webhook_secret(Settings(TELEGRAM_BOT_TOKEN="1:a", TELEGRAM_WEBHOOK_SECRET="s")) == "s"
    assert webhook_path(Settings()) == "/telegram/webhook"


def test_no_token_no_runner() -> None:
    assert build_runner(Settings(TELEGRAM_BOT_TOKEN=None)) is None
