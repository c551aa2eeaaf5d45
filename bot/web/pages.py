"""The HTML pages: the demo page (nl/fr/en) and a self-contained API docs page.

Pages are built from fixed text with every variable part passed through `html.escape`;
no user text ever reaches them. They load only our own `/widget.js` and `/demo.css`, so
the strict CSP of `security.PAGE_CSP` holds (no inline script or style).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from dialogs.events import LANGUAGES

DEMO_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "leenwijzer — which loan from friends and family fits?",
        "intro": (
            "Ask the assistant (the round button at the bottom right) whether a Winwinlening "
            "(Flemish Region), a Proxi loan (Brussels-Capital Region) or PMV Cofinanciering "
            "applies, and what the loan costs and yields, tax credits included."
        ),
        "embed_title": "Put it on your website",
        "embed_text": (
            "One line anywhere in your page. data-lang chooses the language (nl, fr or en); "
            "the optional data-prefill passes what your site already knows, in the fields of "
            "the evaluate contract."
        ),
        "origins": (
            "Your site's origin must be listed in LEENWIJZER_ALLOWED_ORIGINS on the server so "
            "the widget may call the API."
        ),
        "api_title": "JSON API",
        "api_docs": "API documentation",
        "disclaimer": "This is information, not legal or tax advice.",
        "languages": "Language",
    },
    "nl": {
        "title": "leenwijzer — welke lening van vrienden en familie past?",
        "intro": (
            "Vraag de assistent (de ronde knop rechtsonder) of een Winwinlening (Vlaams "
            "Gewest), een Proxi-lening (Brussels Hoofdstedelijk Gewest) of PMV Cofinanciering "
            "van toepassing is, en wat de lening kost en opbrengt, belastingkrediet inbegrepen."
        ),
        "embed_title": "Zet hem op uw website",
        "embed_text": (
            "Eén regel, ergens in uw pagina. data-lang kiest de taal (nl, fr of en); de "
            "optionele data-prefill geeft door wat uw site al weet, in de velden van het "
            "evaluate-contract."
        ),
        "origins": (
            "De origin van uw site moet op de server in LEENWIJZER_ALLOWED_ORIGINS staan, "
            "zodat de widget de API mag aanroepen."
        ),
        "api_title": "JSON-API",
        "api_docs": "API-documentatie",
        "disclaimer": "Dit is informatie, geen juridisch of fiscaal advies.",
        "languages": "Taal",
    },
    "fr": {
        "title": "leenwijzer — quel prêt de vos proches vous convient ?",
        "intro": (
            "Demandez à l'assistant (le bouton rond en bas à droite) si un Winwinlening "
            "(Région flamande), un prêt Proxi (Région de Bruxelles-Capitale) ou le "
            "Cofinancement PMV s'applique, et ce que le prêt coûte et rapporte, crédit "
            "d'impôt compris."
        ),
        "embed_title": "Intégrez-le à votre site",
        "embed_text": (
            "Une ligne, n'importe où dans votre page. data-lang choisit la langue (nl, fr ou "
            "en) ; data-prefill, facultatif, transmet ce que votre site sait déjà, dans les "
            "champs du contrat evaluate."
        ),
        "origins": (
            "L'origine de votre site doit figurer dans LEENWIJZER_ALLOWED_ORIGINS sur le "
            "serveur pour que le widget puisse appeler l'API."
        ),
        "api_title": "API JSON",
        "api_docs": "Documentation de l'API",
        "disclaimer": "Ceci est une information, pas un conseil juridique ou fiscal.",
        "languages": "Langue",
    },
}

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
    text = DEMO_TEXT[lang]
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
