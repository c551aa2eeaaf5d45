"""The translation catalogs: complete, not fuzzy, in step with the code and compiled.

CI fails here when someone adds a text without extracting and translating it, or edits a
.po file without recompiling the .mo that ships with the package.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dialogs.i18n import Translator, catalog_dirs, locale_dir

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
LANGS = ("nl", "fr")
PLACEHOLDER = re.compile(r"\{(\w*)\}")
#: Where the msgids live: the conversation, and the web pages + widget texts (README).
SOURCE_DIRS = ("dialogs", "bot/web")


def _po(lang: str):  # type: ignore[no-untyped-def]
    with open(LOCALES / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _ids(catalog) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.parametrize("lang", LANGS)
def test_every_entry_is_translated_and_not_fuzzy(lang: str) -> None:
    catalog = _po(lang)
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(message.id)
    assert not problems, f"untranslated or fuzzy in {lang}: {problems}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_are_kept(lang: str) -> None:
    for message in _po(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, (message.id, text)


def test_pot_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """Re-extract into a temporary file; the msgids must equal the committed template's."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(LOCALES / "babel.cfg"),
            "-k",
            "N_",
            "-k",
            "plural:1,2",
            "--no-default-keywords",
            "-o",
            str(fresh),
            *(str(ROOT / folder) for folder in SOURCE_DIRS),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with open(fresh, "rb") as handle:
        extracted = _ids(read_po(handle))
    with open(LOCALES / "messages.pot", "rb") as handle:
        committed = _ids(read_po(handle))
    assert extracted == committed, (
        f"run the pybabel extract command (README): new {sorted(extracted - committed)}, "
        f"gone {sorted(committed - extracted)}"
    )


@pytest.mark.parametrize("readme", ["README.md", "locales/README.md"])
def test_documented_extract_command_scans_the_same_folders(readme: str) -> None:
    """The README commands and the check above must not drift apart."""
    text = (ROOT / readme).read_text(encoding="utf-8").replace("\\\n", " ")
    commands = [line for line in text.splitlines() if line.startswith("pybabel extract ")]
    assert len(commands) == 1, f"{readme}: expected one pybabel extract command"
    assert commands[0].split("-o locales/messages.pot ", 1)[1].split() == list(SOURCE_DIRS)


@pytest.mark.parametrize("lang", LANGS)
def test_po_covers_the_template(lang: str) -> None:
    with open(LOCALES / "messages.pot", "rb") as handle:
        template = _ids(read_po(handle))
    assert _ids(_po(lang)) == template, "run pybabel update (README) and translate"


@pytest.mark.parametrize("lang", LANGS)
def test_mo_is_compiled_from_the_po(lang: str) -> None:
    with open(LOCALES / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _po(lang):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for n, text in ((1, message.string[0]), (2, message.string[1])):
                assert compiled.ngettext(message.id[0], message.id[1], n) == text
        else:
            assert compiled.gettext(message.id) == message.string, (
                f"{lang}: .mo out of date for {message.id!r}: run pybabel compile (README)"
            )


def test_catalogs_are_found_from_a_checkout_and_from_the_wheel_layout() -> None:
    here = Path(__file__).resolve().parents[2] / "dialogs"
    assert catalog_dirs() == [here / "locales", here.parent / "locales"]
    assert locale_dir() is not None
    assert Translator("nl")("Yes") == "Ja"
    assert Translator("fr")("Yes") == "Oui"
    assert Translator("en")("Yes") == "Yes"


def test_glossary_words_are_used() -> None:
    nl, fr = Translator("nl"), Translator("fr")
    assert nl("This is information, not legal or tax advice.") == (
        "Dit is informatie, geen juridisch of fiscaal advies."
    )
    assert fr("This is information, not legal or tax advice.") == (
        "Ceci est une information, pas un conseil juridique ou fiscal."
    )
    assert nl("Winwinlening") == "Winwinlening" and fr("Winwinlening") == "prêt Winwin"
    assert nl("Proxi loan") == "Proxi-lening" and fr("Proxi loan") == "prêt Proxi"
    assert nl("Withholding tax") == "Roerende voorheffing"
    assert fr("Withholding tax") == "Précompte mobilier"
