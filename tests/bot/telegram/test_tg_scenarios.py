"""The same scenarios for python-telegram-bot and aiogram, polling and webhook, both databases.

The real client libraries talk HTTP to the fake Bot API; the real dialog answers.
"""

from __future__ import annotations

import io

import aiohttp
import pytest
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import Session, select

from bot.storage.engine import make_engine
from bot.storage.models import ProcessedUpdate
from bot.telegram import aiogram_runner, ptb_runner
from bot.telegram.render import MAX_MESSAGE, utf16_len
from tests.bot.telegram.fake_bot_api import FakeBotApi
from tests.bot.telegram.harness import SECRET, Bot, wait_until

CHAT = 7001

#: A Flemish lender lending € 20.000 to a Flemish company: Winwinlening possible, with a
#: simulation and a 96-row repayment table. Buttons and typed answers mixed.
WINWIN_NL: list[tuple[str, str]] = [
    ("press", "role.lender"),
    ("say", "15/03/2024"),
    ("say", "2000"),
    ("say", "9000"),
    ("say", "ja"),
    ("say", "nee"),
    ("press", "form.company"),
    ("say", "Nee."),
    ("say", "n"),
    ("press", "zero"),
    ("say", "nee"),
    ("say", "12"),
    ("say", "€ 1.500.000"),
    ("say", "nee"),
    ("press", "zero"),
    ("say", "20k"),
    ("press", "zero"),
    ("press", "zero"),
    ("press", "years.8"),
    ("say", "4,5"),
    ("press", "repay.annuity"),
    ("press", "freq.monthly"),
    ("press", "confirm"),
]


def inbox_rows(database_url: str, update_id: int) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        query = select(func.count()).where(ProcessedUpdate.update_id == str(update_id))
        count = session.exec(query).one()
    engine.dispose()
    return int(count)


async def test_commands_are_registered_in_dutch_french_and_english(bot: Bot) -> None:
    calls = bot.fake.called("setMyCommands")
    assert [c.params.get("language_code") for c in calls] == ["nl", "fr", None]
    for call in calls:
        names = [c["command"] for c in call.params["commands"]]
        assert names == ["start", "restart", "back", "language", "help", "forget", "advisor"]
    french = {c["command"]: c["description"] for c in calls[1].params["commands"]}
    assert french["forget"] == "effacer tout ce que vous m'avez dit"
    if bot.mode == "webhook":
        (hook,) = bot.fake.called("setWebhook")
        assert hook.params["url"] == bot.webhook_url and hook.params["secret_token"] == SECRET
    else:
        assert not bot.fake.called("setWebhook")


async def test_walloon_lender_in_french_with_typed_answers(bot: Bot) -> None:
    """A Walloon lender to a Flemish enterprise: no regime applies, in two regions."""
    fake = bot.fake
    await bot.say(CHAT, "/start", lang="fr")
    assert fake.last_keys(CHAT) == ["role.entrepreneur", "role.lender"]
    assert "Bonjour" in fake.texts_to(CHAT)[0]
    await bot.say(CHAT, "prêteur", lang="fr")
    await bot.say(CHAT, "aujourd'hui", lang="fr")
    await bot.say(CHAT, "5000", lang="fr")
    assert "Région wallonne" in fake.texts_to(CHAT)[-1]
    await bot.say(CHAT, "2000", lang="fr")
    assert "Région flamande" in fake.texts_to(CHAT)[-1]
    confirm_label = fake.label_of(CHAT, "confirm")
    summary_id = fake.sent_to(CHAT)[-1]["message_id"]
    await bot.press(CHAT, "confirm", lang="fr")
    result = "\n".join(fake.texts_to(CHAT))
    assert "Prêt Winwin\u00a0: pas possible" in result
    assert "Prêt Coup de Pouce\u00a0: pas possible" in result
    # the summary was edited in place to show the choice; its buttons are gone
    (edit,) = fake.called("editMessageText")
    assert edit.params["message_id"] == summary_id
    assert edit.params["text"].endswith(f"» {confirm_label}")
    assert "reply_markup" not in fake.messages[summary_id]
    assert len(fake.called("answerCallbackQuery")) == 1


async def test_flemish_lender_in_dutch_to_a_result_with_a_repayment_table(bot: Bot) -> None:
    fake = bot.fake
    await bot.say(CHAT, "/start", lang="nl-BE")
    assert "Hallo" in fake.texts_to(CHAT)[0]
    for action, value in WINWIN_NL:
        await (bot.press(CHAT, value) if action == "press" else bot.say(CHAT, value))
    result = "\n".join(fake.texts_to(CHAT))
    assert "Winwinlening: mogelijk" in result
    assert "table.winwin" in fake.last_keys(CHAT)
    before = len(fake.sent_to(CHAT))
    await bot.press(CHAT, "table.winwin")
    tables = [m for m in fake.sent_to(CHAT)[before:] if m.get("entities")]
    assert tables, "the repayment table is sent as a monospace block"
    assert all(m["entities"][0]["type"] == "pre" for m in tables)
    # one short table per year (2024 … 2032), not the 96 instalments: those are documents
    assert len(tables) == 1 and tables[0]["text"].count("\n") - 1 == 9
    assert all(utf16_len(m["text"]) <= MAX_MESSAGE for m in fake.sent_to(CHAT))
    assert {"doc.pdf.winwin", "doc.csv.winwin"} <= set(fake.last_keys(CHAT))
    await bot.press(CHAT, "doc.pdf.winwin")
    await bot.press(CHAT, "doc.csv.winwin")
    (pdf_meta, pdf), (csv_meta, csv) = fake.documents_to(CHAT)
    assert pdf_meta["file_name"] == "aflossingstabel-winwin-2024-03-15.pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Aflossingstabel: Winwinlening" in text and "3.852,68" in text and "PMV" in text
    assert csv_meta["file_name"].endswith(".csv") and csv.startswith("\ufeffNr.;".encode())
    assert len(csv.decode("utf-8").splitlines()) == 97  # the header and 96 instalments
    assert "doc.csv.winwin" in fake.last_keys(CHAT)  # the document keeps the result's buttons
    presses = sum(1 for action, _ in WINWIN_NL if action == "press") + 3
    assert len(fake.called("answerCallbackQuery")) == presses


async def test_an_update_delivered_three_times_is_answered_once(bot: Bot) -> None:
    update = bot.fake.text_update(CHAT, "/start")
    statuses = await bot.turn(update, update, update)
    assert len(bot.fake.sent_to(CHAT)) == 1
    assert bot.delivered == [(update["update_id"], False), *[(update["update_id"], True)] * 2]
    assert inbox_rows(bot.database_url, update["update_id"]) == 1
    if bot.mode == "webhook":
        assert statuses == [200, 200, 200]


async def test_webhook_with_a_wrong_or_missing_secret_is_refused_and_changes_nothing(
    webhook_bot: Bot,
) -> None:
    bot = webhook_bot
    update = bot.fake.text_update(CHAT, "/start")
    async with aiohttp.ClientSession() as session:
        for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
            async with session.post(bot.webhook_url, json=update, headers=headers) as answer:
                assert answer.status == 403
    assert inbox_rows(bot.database_url, update["update_id"]) == 0
    assert not bot.fake.called("sendMessage", status=None)
    # The same update with the right secret: stored in the inbox by the time 200 comes back.
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            bot.webhook_url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        ) as answer,
    ):
        assert answer.status == 200
        assert inbox_rows(bot.database_url, update["update_id"]) == 1
    await wait_until(lambda: len(bot.delivered) == 1, "the delivery")
    assert len(bot.fake.sent_to(CHAT)) == 1


async def test_a_429_is_waited_out_for_retry_after_seconds_then_sent(bot: Bot) -> None:
    bot.fake.rate_limit("sendMessage", retry_after=1)
    await bot.say(CHAT, "/start")
    (limited,) = bot.fake.called("sendMessage", status=429)
    (sent,) = bot.fake.called("sendMessage")
    assert sent.at - limited.at >= 1.0  # retry_after honoured (a lower bound, not a timing)
    assert "Hallo" in bot.fake.texts_to(CHAT)[0]


async def test_a_dropped_connection_is_retried_and_the_message_arrives_once(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    for adapter in (ptb_runner, aiogram_runner):  # the same backoff, only shorter
        monkeypatch.setattr(adapter, "NETWORK_BACKOFF_SECONDS", 0.05)
    bot.fake.drop_connection("sendMessage", times=2)
    await bot.say(CHAT, "/start")
    assert len(bot.fake.called("sendMessage", status=0)) == 2
    assert len(bot.fake.sent_to(CHAT)) == 1 and "Hallo" in bot.fake.texts_to(CHAT)[0]


async def test_a_restarted_process_resumes_the_conversation(bot: Bot) -> None:
    await bot.say(CHAT, "/start")
    await bot.press(CHAT, "role.lender")
    await bot.stop()
    await bot.start()  # a new runner and a new engine on the same database
    await bot.press(CHAT, "today")
    assert "Waar woon je fiscaal?" in bot.fake.texts_to(CHAT)[-1]


async def test_a_user_who_blocked_the_bot_is_logged_and_others_are_still_served(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = 666
    bot.fake.fail(
        "sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=blocked, times=9
    )
    await bot.say(blocked, "/start")
    assert any("unreachable" in r.getMessage() for r in caplog.records)
    await bot.say(CHAT, "/start")
    assert "Hallo" in bot.fake.texts_to(CHAT)[0]


def test_fake_server_refuses_an_unknown_button(fake: FakeBotApi) -> None:
    with pytest.raises(AssertionError):
        fake.press_update(CHAT, "nothing")
