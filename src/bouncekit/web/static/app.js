// bouncekit page: looks codes up (GET /v1/codes/...) and reads bounces (POST /v1/messages, /v1/replies,
// /v1/logs). Server data is only ever put in the page as text (textContent), never as HTML.
"use strict";

const LANGS = ["en", "ru", "bg"];
const STORE = "bouncekit.lang";
let STR = {};            // language -> key -> text (from /ui/strings.json)
let lang = "en";
let lastCode = "";       // the code shown, re-fetched when the language changes
let lastRead = null;     // the last records shown, re-drawn when the language changes
let droppedFiles = [];

const $ = (id) => document.getElementById(id);

function t(key, values) {
  let text = (STR[lang] && STR[lang][key]) || (STR.en && STR.en[key]) || key;
  for (const [name, value] of Object.entries(values || {})) text = text.split(`{${name}}`).join(String(value));
  return text;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false || child === "") continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function preferredLanguage() {
  const saved = localStorage.getItem(STORE);
  if (LANGS.includes(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const primary = tag.slice(0, 2).toLowerCase();
    if (LANGS.includes(primary)) return primary;
  }
  return "en";
}

function applyLanguage() {
  document.documentElement.lang = lang;
  $("lang").value = lang;
  document.title = t("page.title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-placeholder]")) node.placeholder = t(node.dataset.tPlaceholder);
  showFiles();
}

async function callApi(url, options) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (err) {
    throw new Error(t("error.network"));
  }
  let body = null;
  try { body = await response.json(); } catch (err) { body = null; }
  if (!response.ok) throw new Error((body && body.error) || `HTTP ${response.status}`);
  return body;
}

function errorBox(message) {
  return el("div", { class: "error", role: "alert" }, el("strong", {}, t("error.title") + ": "), message);
}

// --- look up a code ---------------------------------------------------------------------------

async function lookUp(code) {
  code = code.trim();
  if (!code) return;
  lastCode = code;
  $("code").value = code;
  const out = $("explanation");
  try {
    const result = await callApi(`/v1/codes/${encodeURIComponent(code)}?lang=${lang}`);
    out.replaceChildren(renderExplanation(result));
  } catch (err) {
    out.replaceChildren(errorBox(err.message));
  }
}

function section(title, ...content) {
  return [el("h4", {}, title), ...content];
}

function renderExplanation(result) {
  const box = el("div", { class: "explanation" });
  if (result.reply && (result.reply.text || result.reply.command)) {
    const r = result.reply;
    box.append(el("div", { class: "verdict" }, el("dl", {},
      r.text ? [el("dt", {}, t("text")), el("dd", {}, r.text)] : [],
      r.command ? [el("dt", {}, t("command")), el("dd", { class: "mono" }, r.command)] : [],
      r.remote_host ? [el("dt", {}, t("remote_host")), el("dd", { class: "mono" }, r.remote_host)] : [])));
  }
  if (result.verdict) box.append(renderVerdict(result.verdict));
  for (const warning of result.warnings || []) box.append(el("div", { class: "warning" }, warning));
  for (const c of result.codes) box.append(renderCode(c));
  return box;
}

function renderVerdict(v) {
  return el("div", { class: "verdict", "data-testid": "verdict" },
    el("strong", {}, t("verdict.title")),
    el("dl", {},
      el("dt", {}, t("col.reason")), el("dd", {}, reasonCell(v.reason)),
      el("dt", {}, t("col.bounce")), el("dd", {}, bounceBadge(v)),
      el("dt", {}, t("col.fault")), el("dd", {}, t("fault." + v.fault)),
      el("dt", {}, t("col.advice")), el("dd", {}, adviceText(v)),
      el("dt", {}, t("col.evidence")), el("dd", { class: "evidence" }, v.evidence)));
}

function renderCode(c) {
  const severityClass = c.severity === "permanent" ? "permanent" : c.severity === "temporary" ? "temporary"
    : c.severity === "success" ? "success" : "";
  const badges = [el("span", { class: "badge" }, t("kind." + c.kind)),
                  el("span", { class: `badge ${severityClass}` }, t("severity." + c.severity))];
  if (!c.registered) badges.push(el("span", { class: "badge" }, t(c.kind === "enhanced" ? "unregistered" : "nonstandard")));
  const left = [
    ...section(t("meaning"), el("p", {}, c.meaning)),
    ...section(t("causes"), el("ul", {}, c.causes.map((cause) => el("li", {}, cause)))),
    ...section(t("action"), el("div", { class: "action-box" }, c.action)),
  ];
  if (c.vendor.length) {
    left.push(...section(t("provider_meanings"), c.vendor.map((v) => el("div", { class: "vendor" },
      el("strong", {}, v.title), " ", el("span", { class: "badge" }, v.codes + (v.tag ? " " + v.tag : "")),
      el("p", {}, v.meaning), el("p", {}, el("em", {}, v.action))))));
  }
  const right = [...section(t("structure"), el("table", { class: "parts" }, el("tbody", {},
    c.parts.map((p) => el("tr", {}, el("td", {}, `${p.part} ${p.value}`),
      el("td", {}, el("strong", {}, p.title), el("br"), p.meaning))))))];
  if (c.commands.length) right.push(...section(t("commands"), el("p", { class: "mono" }, c.commands.join(", "))));
  if (c.related_codes.length) {
    right.push(...section(t("related_codes"), el("p", {}, c.related_codes.map((code, i) => [
      i ? ", " : "", el("button", { type: "button", class: "linklike", onclick: () => lookUp(code) }, code)]))));
  }
  for (const note of c.notes) right.push(el("p", { class: "hint" }, note));
  if (c.references.length) right.push(...section(t("references"), el("p", {}, c.references.join(", "))));
  return el("article", { class: "code-card" },
    el("div", { class: "code-head" }, el("span", { class: "code-id" }, c.code), el("h3", {}, c.title)),
    el("div", { class: "badges" }, badges),
    el("div", { class: "card-grid" }, el("div", {}, left), el("div", {}, right)));
}

// --- read bounces -----------------------------------------------------------------------------

// A pasted email starts with header fields (RFC 5322 s2.2) or an mbox "From " line.
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]{0,76}:[ \t]/;
const MAIL_HEADERS = /^(from|to|subject|received|return-path|content-type|date|message-id|mime-version|delivered-to|x-[a-z0-9-]+):/im;
// Log lines start with a syslog time stamp ("Jan  2 03:04:05", ISO 8601) or Exim's "2024-01-02 03:04:05".
const LOG_LINE = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)/;

function detectKind(text) {
  const lines = text.split(/\r?\n/).filter((line) => line.trim()).slice(0, 20);
  if (!lines.length) return "replies";
  if (lines[0].startsWith("From ") || (HEADER_LINE.test(lines[0]) && MAIL_HEADERS.test(lines.slice(0, 20).join("\n")))) {
    return "email";
  }
  if (lines.filter((line) => LOG_LINE.test(line)).length >= Math.ceil(lines.length / 2)) return "logs";
  return "replies";
}

// Reply lines: one reply per line, except that "550-..." continues into the next line (RFC 5321 s4.2.1).
function replyTexts(text) {
  const replies = [];
  let current = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    current.push(line.trim());
    if (!/^\d{3}-/.test(line.trim())) { replies.push(current.join("\n")); current = []; }
  }
  if (current.length) replies.push(current.join("\n"));
  return replies.slice(0, 1000).map((reply) => ({ text: reply }));
}

async function read() {
  const out = $("results");
  const text = $("input").value;
  if (!droppedFiles.length && !text.trim()) { out.replaceChildren(errorBox(t("read.empty"))); return; }
  out.replaceChildren(el("p", { class: "hint" }, t("read.working")));
  try {
    let result;
    if (droppedFiles.length) {
      const form = new FormData();
      for (const file of droppedFiles) form.append("file", file, file.name);
      result = await callApi("/v1/messages", { method: "POST", body: form });
    } else {
      const kind = $("kind").value === "auto" ? detectKind(text) : $("kind").value;
      if (kind === "email") {
        result = await callApi("/v1/messages", { method: "POST", headers: { "Content-Type": "message/rfc822" }, body: text });
      } else if (kind === "logs") {
        result = await callApi("/v1/logs", { method: "POST", headers: { "Content-Type": "text/plain" }, body: text });
      } else {
        const replies = replyTexts(text);
        const found = await callApi("/v1/replies", { method: "POST", headers: { "Content-Type": "application/json" },
                                                      body: JSON.stringify(replies) });
        result = { records: found.map((r, i) => ({ ...r.record, source: replies[i].text })), problems: [],
                   messages: replies.length };
      }
    }
    lastRead = result;
    out.replaceChildren(renderRecords(result));
  } catch (err) {
    lastRead = null;
    out.replaceChildren(errorBox(err.message));
  }
}

function reasonCell(reason) {
  return [el("div", { class: "reason-name" }, reason), el("div", { class: "reason-text" }, t("reason." + reason))];
}

function bounceBadge(r) {
  const kind = r.hard_bounce ? "hard" : r.permanent === null ? "none" : "soft";
  const label = [t("bounce." + kind)];
  if (r.permanent !== null && r.permanent !== undefined) label.push(`(${t("permanent." + r.permanent)})`);
  return el("span", { class: `badge ${kind}` }, label.join(" "));
}

function duration(seconds) {
  if (seconds >= 3600 && seconds % 3600 === 0) return t("hours", { n: seconds / 3600 });
  if (seconds >= 60 && seconds % 60 === 0) return t("minutes", { n: seconds / 60 });
  return t("seconds", { n: seconds });
}

function adviceText(r) {
  const advice = t("advice." + r.action_advice);
  return r.retry_after ? `${advice} (${duration(r.retry_after)})` : advice;
}

const DETAIL_FIELDS = ["diagnostic_code", "remote_mta", "reporting_mta", "smtp_command", "action", "decoded_by",
                       "sender", "subject", "timestamp", "source"];

function renderDetails(r) {
  const rows = DETAIL_FIELDS.filter((name) => r[name] !== "" && r[name] !== null && r[name] !== undefined)
    .map((name) => [el("dt", {}, t("detail." + name)), el("dd", { class: name === "diagnostic_code" ? "mono" : "" }, r[name])]);
  const codes = [r.reply_code, r.status].filter(Boolean).join(" ");
  const explainButton = codes && el("button", { type: "button", class: "linklike", onclick: () => {
    lookUp(codes);
    $("lookup").scrollIntoView({ behavior: "smooth" });
  } }, t("detail.explain", { code: codes }));
  return el("div", { class: "details" }, el("dl", {}, rows), explainButton);
}

function renderRecords(result) {
  const box = el("div", {});
  const records = result.records || [];
  const hard = records.filter((r) => r.hard_bounce).length;
  if (!records.length) box.append(el("p", { class: "summary" }, t("result.none")));
  else {
    box.append(el("p", { class: "summary", "data-testid": "summary" }, t("result.summary",
      { records: records.length, messages: result.messages, hard, soft: records.length - hard })));
  }
  for (const p of result.problems || []) {
    box.append(el("div", { class: "warning" }, `${t("result.problems")}: ${p.source}${p.index !== null ? ` #${p.index}` : ""}: ${p.message}`));
  }
  if (!records.length) return box;
  const columns = ["recipient", "code", "reason", "bounce", "fault", "advice", "evidence"];
  const head = el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, t("col." + c)))));
  const body = el("tbody", {});
  records.forEach((r) => {
    const cells = {
      recipient: el("span", { class: r.recipient ? "" : "mono" }, r.recipient || r.source),
      code: el("span", { class: "mono" }, [r.reply_code, r.status].filter(Boolean).join(" ") || "—"),
      reason: reasonCell(r.reason),
      bounce: bounceBadge(r),
      fault: t("fault." + r.fault),
      advice: adviceText(r),
      evidence: el("span", { class: "evidence" }, r.evidence),
    };
    const details = el("tr", { class: "details", hidden: "" },
      el("td", { colspan: String(columns.length) }, renderDetails(r)));
    const row = el("tr", { class: "record", tabindex: "0", "aria-expanded": "false" },
      columns.map((c) => el("td", { "data-label": t("col." + c), "data-col": c }, el("div", {}, cells[c]))));
    const toggle = () => {
      details.hidden = !details.hidden;
      row.setAttribute("aria-expanded", String(!details.hidden));
    };
    row.addEventListener("click", toggle);
    row.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); } });
    body.append(row, details);
  });
  box.append(el("div", { class: "table-wrap" }, el("table", { class: "records" }, head, body)));
  return box;
}

// --- files ------------------------------------------------------------------------------------

function showFiles() {
  const list = $("file-list");
  if (list) list.textContent = droppedFiles.length
    ? `${t("read.files", { count: droppedFiles.length })}: ${droppedFiles.map((f) => f.name).join(", ")}` : "";
}

function setFiles(files) {
  droppedFiles = Array.from(files || []).slice(0, 100);
  showFiles();
}

function wire() {
  $("lang").addEventListener("change", () => {
    lang = $("lang").value;
    localStorage.setItem(STORE, lang);
    applyLanguage();
    if (lastCode) lookUp(lastCode);
    if (lastRead) $("results").replaceChildren(renderRecords(lastRead));
  });
  $("lookup-form").addEventListener("submit", (event) => { event.preventDefault(); lookUp($("code").value); });
  for (const chip of document.querySelectorAll(".chip")) chip.addEventListener("click", () => lookUp(chip.dataset.code));
  $("read-form").addEventListener("submit", (event) => { event.preventDefault(); read(); });
  $("clear").addEventListener("click", () => {
    $("input").value = "";
    setFiles([]);
    $("files").value = "";
    lastRead = null;
    $("results").replaceChildren();
  });
  $("files").addEventListener("change", () => setFiles($("files").files));
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) setFiles(event.dataTransfer.files);
  });
}

async function start() {
  wire();
  lang = preferredLanguage();
  try {
    STR = await callApi("/ui/strings.json");
  } catch (err) {
    $("explanation").replaceChildren(errorBox(err.message));
  }
  applyLanguage();
  document.body.dataset.ready = "true";
}

start();
