/*
 * leenwijzer chat widget. Embed with one tag:
 *   <script src="https://HOST/widget.js" data-lang="fr" async></script>
 * Optional: data-prefill='{"borrower":{"region":"brussels"}}' (evaluate-contract fields).
 *
 * Vanilla JS, no dependency, nothing downloaded at run time. The API base is this
 * script's own origin. Everything lives in a shadow root (the host page's CSS cannot
 * reach it), every text is set with textContent (never HTML), and the conversation
 * (session id + transcript) is kept in localStorage so a page reload resumes it.
 * Every event gets its own random `turn` id; when the answer is lost on the way (network
 * error, gateway error) the same request is sent again a few times with that id, and the
 * server answers it again without applying the event twice.
 */
(function () {
  "use strict";
  if (window.__leenwijzerWidget) return;
  window.__leenwijzerWidget = true;

  var script = document.currentScript;
  if (!script) {
    var tags = document.querySelectorAll("script[src*='widget.js']");
    script = tags[tags.length - 1];
  }
  if (!script) return;

  var LANGS = ["nl", "fr", "en"];
  var API = new URL(script.src, location.href).origin;
  var STORE_KEY = "leenwijzer:" + API;
  var MAX_ITEMS = 300;

  /* Texts per language ({nl, fr, en}) and the language names. The server puts them in
     from the gettext catalogs in place of this string (bot/web/pages.py), so the file is
     served whole in one request; every text goes in with textContent or an attribute. */
  var TEXTS = "@@LEENWIJZER_WIDGET_TEXT@@";
  var UI = TEXTS.text || {};
  var LANG_NAMES = TEXTS.names || {};

  function pickLang(value) {
    value = String(value || "").toLowerCase().slice(0, 2);
    return LANGS.indexOf(value) >= 0 ? value : null;
  }

  var prefill = null;
  var rawPrefill = script.getAttribute("data-prefill");
  if (rawPrefill) {
    try {
      prefill = JSON.parse(rawPrefill);
    } catch (e) {
      if (window.console) console.warn("leenwijzer: data-prefill is not valid JSON; ignored");
    }
  }

  /* ---- persisted state ------------------------------------------------------------ */

  var memoryStore = null;
  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved === "object" && Array.isArray(saved.items)) return saved;
    } catch (e) {
      if (memoryStore) return memoryStore;
    }
    return null;
  }
  function save() {
    if (state.items.length > MAX_ITEMS) {
      var drop = state.items.length - MAX_ITEMS;
      state.items = state.items.slice(drop);
      state.activeFrom = Math.max(0, state.activeFrom - drop);
    }
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) {
      memoryStore = state;
    }
  }

  var state = load() || {
    session: null,
    lang: pickLang(script.getAttribute("data-lang")) || pickLang(navigator.language) || "en",
    items: [],
    activeFrom: 0,
    done: false,
    open: false
  };
  var busy = false;

  /* ---- DOM helpers (text only, never innerHTML) ----------------------------------- */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var name in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, name)) node.setAttribute(name, attrs[name]);
      }
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function t(key) {
    return (UI[state.lang] || UI.en || {})[key] || "";
  }

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".bubble{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;",
    "border:0;background:#0b5cad;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);",
    "display:flex;align-items:center;justify-content:center;z-index:2147483000}",
    ".bubble svg{width:30px;height:30px;fill:currentColor}",
    "button:focus-visible,select:focus-visible,input:focus-visible,.wrap:focus-visible",
    "{outline:3px solid #f5a623;outline-offset:2px}",
    ".panel{position:fixed;right:20px;bottom:20px;width:min(460px,calc(100vw - 40px));",
    "height:min(640px,calc(100vh - 40px));display:flex;flex-direction:column;background:#fff;",
    "color:#1d2733;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.28);overflow:hidden;",
    "z-index:2147483001;font-size:15px;line-height:1.45}",
    ".panel[hidden],.bubble[hidden]{display:none}",
    "header{display:flex;align-items:center;gap:6px;padding:10px 12px;background:#0b5cad;color:#fff}",
    "header h2{flex:1;margin:0;font-size:16px;font-weight:600}",
    "header select,header button{font-size:13px;border-radius:6px;border:1px solid #fff;",
    "background:#0b5cad;color:#fff;padding:4px 8px;cursor:pointer}",
    "header .close{font-size:18px;line-height:1;padding:2px 9px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}",
    ".log>*{flex-shrink:0}",
    ".msg{max-width:88%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;",
    "overflow-wrap:anywhere}",
    ".bot{align-self:flex-start;background:#eef2f7;border-bottom-left-radius:3px}",
    ".user{align-self:flex-end;background:#0b5cad;color:#fff;border-bottom-right-radius:3px}",
    ".sys{align-self:center;background:#fff4e0;color:#6b4300;font-size:13px}",
    ".choices{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:100%}",
    ".choice{border:1px solid #0b5cad;background:#fff;color:#0b5cad;border-radius:16px;",
    "padding:6px 12px;font-size:14px;cursor:pointer;text-align:left}",
    ".choice:hover:not(:disabled){background:#e6effa}",
    ".choice:disabled{border-color:#c3cad3;color:#6a7480;cursor:default}",
    ".doc{align-self:flex-start;display:inline-block;padding:6px 12px;border-radius:8px;",
    "background:#0b5cad;color:#fff;text-decoration:none;font-size:14px}",
    ".doc.gone{background:#eef2f7;color:#6a7480}",
    ".wrap{max-width:100%;overflow-x:auto;align-self:stretch;border:1px solid #d5dbe3;border-radius:8px}",
    "table{border-collapse:collapse;font-size:12px;width:100%}",
    "th,td{padding:4px 6px;border-bottom:1px solid #e3e7ec;white-space:nowrap}",
    "th{background:#f4f6f9;text-align:left;position:sticky;top:0}",
    "td:not(:first-child){text-align:right;font-variant-numeric:tabular-nums}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #e3e7ec}",
    "input{flex:1;min-width:0;font-size:15px;padding:8px 10px;border:1px solid #9aa5b1;border-radius:8px}",
    "form button{font-size:15px;padding:8px 14px;border:0;border-radius:8px;background:#0b5cad;",
    "color:#fff;cursor:pointer}",
    "form button:disabled{background:#7d9cc0;cursor:default}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100%;border-radius:0}}"
  ].join("");

  /* ---- build the widget ----------------------------------------------------------- */

  var host = el("div", { id: "leenwijzer-widget" });
  var root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function") {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.appendChild(el("style", null, CSS));
  }

  var bubble = el("button", { type: "button", class: "bubble", "aria-expanded": "false",
    "aria-controls": "lw-panel" });
  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z");
  svg.appendChild(path);
  bubble.appendChild(svg);

  var panel = el("section", { id: "lw-panel", class: "panel", role: "dialog",
    "aria-labelledby": "lw-title" });
  panel.hidden = true;
  var header = el("header");
  var title = el("h2", { id: "lw-title" }, "leenwijzer");
  var langLabel = el("label", { for: "lw-lang", class: "sr" });
  var langSelect = el("select", { id: "lw-lang" });
  LANGS.forEach(function (code) {
    langSelect.appendChild(el("option", { value: code, lang: code }, LANG_NAMES[code]));
  });
  var restartButton = el("button", { type: "button", class: "restart" });
  var closeButton = el("button", { type: "button", class: "close" }, "×");
  header.appendChild(title);
  header.appendChild(langLabel);
  header.appendChild(langSelect);
  header.appendChild(restartButton);
  header.appendChild(closeButton);

  var log = el("div", { class: "log", role: "log", "aria-live": "polite",
    "aria-relevant": "additions", "aria-busy": "false", tabindex: "-1" });
  var form = el("form", { class: "ask", novalidate: "" });
  var inputLabel = el("label", { for: "lw-input", class: "sr" });
  var input = el("input", { id: "lw-input", type: "text", maxlength: "4000", autocomplete: "off" });
  var sendButton = el("button", { type: "submit", class: "send" });
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(form);
  root.appendChild(bubble);
  root.appendChild(panel);

  function applyChrome() {
    host.setAttribute("lang", state.lang);
    panel.setAttribute("lang", state.lang);
    bubble.setAttribute("aria-label", t("open"));
    bubble.title = t("open");
    log.setAttribute("aria-label", t("log"));
    langLabel.textContent = t("language");
    langSelect.value = state.lang;
    restartButton.textContent = t("restart");
    closeButton.setAttribute("aria-label", t("close"));
    inputLabel.textContent = t("input");
    input.placeholder = t("input");
    sendButton.textContent = t("send");
  }

  /* ---- rendering ------------------------------------------------------------------ */

  function renderTable(table) {
    var wrap = el("div", { class: "wrap", role: "region", tabindex: "0", "aria-label": t("table") });
    var tableNode = el("table");
    var head = el("thead");
    var headRow = el("tr");
    (table.columns || []).forEach(function (column) {
      headRow.appendChild(el("th", { scope: "col" }, column));
    });
    head.appendChild(headRow);
    var body = el("tbody");
    (table.rows || []).forEach(function (row) {
      var tr = el("tr");
      row.forEach(function (cell) { tr.appendChild(el("td", null, cell)); });
      body.appendChild(tr);
    });
    tableNode.appendChild(head);
    tableNode.appendChild(body);
    wrap.appendChild(tableNode);
    return wrap;
  }

  /* A reply's document (the repayment table as PDF or CSV) arrives as base64 bytes; it
     becomes a download link for this page's life. Only its name is kept in localStorage,
     so after a reload the button has to be pressed again. */
  var downloads = [];
  function documentUrl(doc) {
    var bytes = atob(doc.data);
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return URL.createObjectURL(new Blob([buffer], { type: doc.media_type }));
  }
  function renderDocument(item) {
    var found = null;
    downloads.forEach(function (entry) { if (entry.item === item) found = entry.url; });
    var label = t("download") + ": " + item.document.filename;
    if (!found) return el("span", { class: "doc gone" }, item.document.filename);
    return el("a", { class: "doc", href: found, download: item.document.filename }, label);
  }

  function renderItem(item, index) {
    var nodes = [el("div", { class: "msg " + item.who }, item.text)];
    if (item.table) nodes.push(renderTable(item.table));
    if (item.document) nodes.push(renderDocument(item));
    if (item.buttons && item.buttons.length) {
      var group = el("div", { class: "choices", role: "group", "aria-label": t("choices") });
      item.buttons.forEach(function (button) {
        var choice = el("button", { type: "button", class: "choice" }, button.label);
        choice.disabled = index < state.activeFrom;
        choice.addEventListener("click", function () {
          send({ type: "button", key: button.key }, button.label);
        });
        group.appendChild(choice);
      });
      nodes.push(group);
    }
    nodes.forEach(function (node) { log.appendChild(node); });
  }

  function renderAll() {
    while (log.firstChild) log.removeChild(log.firstChild);
    state.items.forEach(renderItem);
    log.scrollTop = log.scrollHeight;
  }

  function disableOldChoices() {
    var old = log.querySelectorAll(".choice:not(:disabled)");
    for (var i = 0; i < old.length; i++) old[i].disabled = true;
  }

  function append(item) {
    state.items.push(item);
    renderItem(item, state.items.length - 1);
    log.scrollTop = log.scrollHeight;
  }

  function notice(message) {
    append({ who: "sys", text: message });
    save();
  }

  /* ---- talking to the API --------------------------------------------------------- */

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    log.setAttribute("aria-busy", value ? "true" : "false");
  }

  /* Pauses before each resend of a request whose answer was lost; then "offline". */
  var RETRY_DELAYS = [400, 1200, 2500];
  /* Gateway answers: the server may have applied the event, the answer did not come. */
  var RETRY_STATUS = [502, 503, 504];

  function newTurnId() {
    var bytes = new Uint8Array(16);
    var i;
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    var id = "";
    for (i = 0; i < bytes.length; i++) id += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return id;
  }

  function pause(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  /* POST one turn; resend the very same body (same turn id) while the answer is lost. */
  function post(body, attempt) {
    var again = function () {
      return pause(RETRY_DELAYS[attempt]).then(function () { return post(body, attempt + 1); });
    };
    return fetch(API + "/api/v1/chat", {
      method: "POST",
      credentials: "include",
      headers: { "Content-Type": "application/json" },
      body: body
    }).then(function (response) {
      if (RETRY_STATUS.indexOf(response.status) >= 0 && attempt < RETRY_DELAYS.length) {
        return again();
      }
      return response;
    }, function (error) {
      if (attempt < RETRY_DELAYS.length) return again();
      throw error;
    });
  }

  function send(event, echo, retried) {
    if (busy) return;
    var typed = event.type === "text";
    if (echo) {
      disableOldChoices();
      append({ who: "user", text: echo });
    }
    setBusy(true);
    var body = { turn: newTurnId(), lang: state.lang, event: event };
    if (state.session) body.session = state.session;
    post(JSON.stringify(body), 0).then(function (response) {
      if (response.status === 429) {
        var wait = response.headers.get("Retry-After") || "1";
        throw { notice: t("tooMany").replace("{seconds}", wait) };
      }
      if (response.status === 422 && event.type === "start" && event.prefill && !retried) {
        if (window.console) console.warn("leenwijzer: data-prefill refused by the server; ignored");
        return { retry: true };
      }
      if (!response.ok) throw { notice: t("failed") };
      return response.json();
    }).then(function (data) {
      setBusy(false);
      if (data.retry) {
        send({ type: "start" }, null, true);
        return;
      }
      state.session = data.session;
      if (pickLang(data.lang) && data.lang !== state.lang) {
        state.lang = data.lang;
        applyChrome();
      }
      state.done = !!data.done;
      disableOldChoices();
      state.activeFrom = state.items.length;
      (data.replies || []).forEach(function (reply) {
        var item = { who: "bot", text: reply.text, buttons: reply.buttons || null,
          table: reply.table || null };
        if (reply.document && reply.document.data) {
          item.document = { filename: reply.document.filename, format: reply.document.format };
          downloads.push({ item: item, url: documentUrl(reply.document) });
        }
        append(item);
      });
      save();
      var fresh = log.querySelector(".choice:not(:disabled)");
      if (fresh && !typed) fresh.focus();
      else input.focus();
    }).catch(function (error) {
      setBusy(false);
      notice(error && error.notice ? error.notice : t("offline"));
    });
  }

  /* ---- controls ------------------------------------------------------------------- */

  function openPanel() {
    state.open = true;
    save();
    panel.hidden = false;
    bubble.hidden = true;
    bubble.setAttribute("aria-expanded", "true");
    log.scrollTop = log.scrollHeight;
    if (!state.items.length) send({ type: "start", prefill: prefill || undefined }, null);
    var fresh = log.querySelector(".choice:not(:disabled)");
    (fresh || input).focus();
  }

  function closePanel() {
    state.open = false;
    save();
    panel.hidden = true;
    bubble.hidden = false;
    bubble.setAttribute("aria-expanded", "false");
    bubble.focus();
  }

  bubble.addEventListener("click", openPanel);
  closeButton.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closePanel();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    send({ type: "text", text: text }, text);
  });
  restartButton.addEventListener("click", function () {
    if (busy) return;
    state.items = [];
    state.activeFrom = 0;
    state.done = false;
    renderAll();
    if (state.session) send({ type: "command", name: "restart" }, null);
    else send({ type: "start", prefill: prefill || undefined }, null);
  });
  langSelect.addEventListener("change", function () {
    var chosen = pickLang(langSelect.value);
    if (!chosen || chosen === state.lang) return;
    state.lang = chosen;
    applyChrome();
    save();
    if (state.session) send({ type: "command", name: "language", arg: chosen }, null);
  });

  function mount() {
    applyChrome();
    renderAll();
    document.body.appendChild(host);
    if (state.open) {
      panel.hidden = false;
      bubble.hidden = true;
      bubble.setAttribute("aria-expanded", "true");
      log.scrollTop = log.scrollHeight;
    }
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
