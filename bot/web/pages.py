"""What the server shows besides JSON: the demo page (nl/fr/en), the API docs page, and
the widget script with its texts.

Every text is an English msgid translated through the conversation's gettext catalogs
(`dialogs.i18n`), so there is one place to translate and one completeness check. Pages
are built from those texts with every variable part passed through `html.escape`; no user
text ever reaches them. They load only our own `/widget.js` and `/demo.css`, so
the strict CSP of `security.PAGE_CSP` holds (no inline script or style).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from dialogs.events import LANGUAGES
from dialogs.i18n import N_, Translator
from dialogs.render import regime_list

#: The demo page's texts as English msgids (extracted by pybabel from `bot/web`, see
#: locales/README.md); `render_demo_page` translates them with the conversation's catalogs.
DEMO_TEXT: dict[str, str] = {
    "title": N_("leenwijzer — which loan from friends and family fits?"),
    "intro": N_(
        "Ask the assistant (the round button at the bottom right) which of these applies "
        "({regimes}), and what the loan costs and yields, tax credits included."
    ),
    "embed_title": N_("Put it on your website"),
    "embed_text": N_(
        "One line anywhere in your page. data-lang chooses the language (nl, fr or en); "
        "the optional data-prefill passes what your site already knows, in the fields of "
        "the evaluate contract."
    ),
    "origins": N_(
        "Your site's origin must be listed in LEENWIJZER_ALLOWED_ORIGINS on the server so "
        "the widget may call the API."
    ),
    "api_title": N_("JSON API"),
    "api_docs": N_("API documentation"),
    "disclaimer": N_("This is information, not legal or tax advice."),
    "languages": N_("Language"),
}

#: The widget's own texts (its chrome: labels, placeholder, notices) as English msgids;
#: the keys are the ones `widget.js` looks up. `{seconds}` is filled in by the widget.
WIDGET_TEXT: dict[str, str] = {
    "open": N_("Open the leenwijzer chat"),
    "close": N_("Close the chat"),
    "restart": N_("Start again"),
    "language": N_("Language"),
    "input": N_("Your answer"),
    "send": N_("Send"),
    "log": N_("Conversation with leenwijzer"),
    "table": N_("Repayment table"),
    "download": N_("Download"),
    "choices": N_("Choices"),
    "tooMany": N_("One moment: too many messages in a row. Try again in {seconds} s."),
    "offline": N_("The server cannot be reached. Try again in a moment."),
    "failed": N_("Something went wrong. Please try again."),
}

#: Where the server puts the texts in `static/widget.js` (a JS string, so the file stays
#: valid JavaScript as stored).
WIDGET_TEXT_PLACEHOLDER = '"@@LEENWIJZER_WIDGET_TEXT@@"'

#: Language names stay in their own language in every language (the dialog's language
#: buttons do the same), so a reader finds theirs whatever is shown now: not translated.
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}

DEMO_CSS = """\
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 46rem;
       padding: 1.5rem; color: #1d2733; }
h1 { font-size: 1.6rem; line-height: 1.25; }
pre { background: #f2f4f7; padding: .75rem; overflow-x: auto; border-radius: 6px; }
code { font-family: ui-monospace, monospace; font-size: .9rem; }
nav a { margin-right: .75rem; }
nav a[aria-current] { font-weight: bold; }
small { color: #55606e; }
"""


def widget_texts() -> dict[str, Any]:
    """The widget's texts for every language, from the catalogs, and the language names."""
    texts: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        tr = Translator(lang)
        texts[lang] = {key: tr(msgid) for key, msgid in WIDGET_TEXT.items()}
    return {"names": LANGUAGE_NAMES, "text": texts}


def build_widget_script(template: str) -> bytes:
    """`widget.js` as served: its text table (JSON) put in place of the placeholder.

    JSON is a JavaScript expression, so the script stays one static file with no second
    request; the widget sets these texts with `textContent`/attributes only, never as HTML.
    Raises `ValueError` when the placeholder is not there exactly once (a broken build
    must fail at start-up, not show `undefined` in every label).
    """
    found = template.count(WIDGET_TEXT_PLACEHOLDER)
    if found != 1:
        raise ValueError(f"widget.js holds the text placeholder {found} times, not once")
    table = json.dumps(widget_texts(), ensure_ascii=False, separators=(",", ":"))
    # The two line separators JSON allows in strings but older JavaScript does not.
    table = table.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return template.replace(WIDGET_TEXT_PLACEHOLDER, table).encode("utf-8")


def embed_snippet(base_url: str, lang: str) -> str:
    """The one tag an advisory site pastes into its page."""
    base = base_url.rstrip("/")
    return f'<script src="{base}/widget.js" data-lang="{lang}" async></script>'


def negotiate_language(query_lang: str | None, accept_language: str | None) -> str:
    """?lang= when valid, else the best of Accept-Language among nl/fr/en, else en."""
    if query_lang in LANGUAGES:
        return query_lang
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower().split("-", 1)[0]
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag in LANGUAGES and quality > 0:
            candidate = (-quality, position, tag)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else "en"


def render_demo_page(lang: str, base_url: str) -> str:
    """The demo page: what leenwijzer is, the live widget, and the embed snippet."""
    tr = Translator(lang)
    text = {key: tr(msgid) for key, msgid in DEMO_TEXT.items()}
    text["intro"] = tr(DEMO_TEXT["intro"], regimes=regime_list(tr))
    snippet = embed_snippet(base_url, lang)
    prefill_snippet = (
        f'<script src="{base_url.rstrip("/")}/widget.js" data-lang="{lang}"\n'
        """        data-prefill='{"borrower":{"region":"brussels"}}' async></script>"""
    )
    links = " ".join(
        f'<a href="/?lang={code}" hreflang="{code}" lang="{code}"'
        + (' aria-current="page"' if code == lang else "")
        + f">{escape(name)}</a>"
        for code, name in LANGUAGE_NAMES.items()
    )
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(text["title"])}</title>
<link rel="stylesheet" href="/demo.css">
</head>
<body>
<nav aria-label="{escape(text["languages"])}">{links}</nav>
<main>
<h1>{escape(text["title"])}</h1>
<p>{escape(text["intro"])}</p>
<h2>{escape(text["embed_title"])}</h2>
<p>{escape(text["embed_text"])}</p>
<pre><code id="embed-snippet">{escape(snippet)}</code></pre>
<pre><code>{escape(prefill_snippet)}</code></pre>
<p>{escape(text["origins"])}</p>
<h2>{escape(text["api_title"])}</h2>
<ul>
<li><code>POST /api/v1/evaluate</code></li>
<li><code>POST /api/v1/chat</code></li>
<li><code>GET /healthz</code></li>
</ul>
<p><a href="/api/v1/docs">{escape(text["api_docs"])}</a>
 (<a href="/api/v1/openapi.json">openapi.json</a>)</p>
<p><small>{escape(text["disclaimer"])}</small></p>
</main>
<script src="/widget.js" data-lang="{lang}" async></script>
</body>
</html>
"""


def render_docs_page(openapi: dict[str, Any]) -> str:
    """A docs page built from the OpenAPI document, with no third-party assets."""
    info = openapi.get("info", {})
    sections: list[str] = []
    for path, operations in openapi.get("paths", {}).items():
        for method, op in operations.items():
            body_schema = (
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema")
            )
            parts = [
                f"<h2><code>{escape(method.upper())} {escape(path)}</code></h2>",
                f"<p><strong>{escape(op.get('summary', ''))}</strong></p>",
                f"<p>{escape(op.get('description', ''))}</p>",
            ]
            ref = (body_schema or {}).get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                body_schema = (
                    openapi.get("components", {}).get("schemas", {}).get(name, body_schema)
                )
            if body_schema is not None:
                parts.append(
                    "<details><summary>Request schema</summary><pre><code>"
                    + escape(json.dumps(body_schema, indent=2, ensure_ascii=False))
                    + "</code></pre></details>"
                )
            codes = ", ".join(escape(str(code)) for code in op.get("responses", {}))
            parts.append(f"<p>Responses: {codes}</p>")
            sections.append("<section>" + "".join(parts) + "</section>")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(info.get("title", "API"))} — API</title>
<link rel="stylesheet" href="/demo.css">
</head>
<body>
<main>
<h1>{escape(info.get("title", "API"))} {escape(info.get("version", ""))}</h1>
<p>{escape(info.get("description", ""))}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p>
{"".join(sections)}
<p><small>Components (schemas) are in openapi.json.</small></p>
</main>
</body>
</html>
"""
