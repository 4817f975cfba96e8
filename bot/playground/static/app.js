// The playground page: one chat at a time, redrawn from the emulator's state on every bot call.
"use strict";

const $ = (id) => document.getElementById(id);
const TYPING_MS = 5000; // Telegram shows a chat action for about five seconds
const view = { chat: "private", user: "alice", replyTo: null, info: null, typingTimer: null };

async function call(path, options) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function showError(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

function post(path, body) {
  return call(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

function messageBody(message) {
  const parts = [];
  if (message.document) {
    const size = Math.ceil((message.document.file_size || 0) / 1024);
    parts.push(`<div class="document">📄 ${escapeHtml(message.document.file_name || "file")} · ${size} KB</div>`);
  }
  const text = message.text ?? message.caption ?? "";
  const entities = message.text !== undefined ? message.entities : message.caption_entities;
  if (text) parts.push(`<div class="text">${renderEntities(text, entities)}</div>`);
  return parts.join("");
}

function quoteOf(message) {
  const target = message.reply_to_message;
  if (!target) return "";
  const who = target.from ? target.from.first_name : "";
  const snippet = (target.text || target.caption || (target.document && target.document.file_name) || "").slice(0, 80);
  return `<div class="quote"><b>${escapeHtml(who)}</b> ${escapeHtml(snippet)}</div>`;
}

function keyboardOf(message) {
  const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
  return rows.map((row) => `<div class="row">${row.map((button) => button.url
    ? `<a class="button" href="${escapeHtml(button.url)}" target="_blank" rel="noopener">${escapeHtml(button.text)}</a>`
    : `<button type="button" class="button" data-data="${escapeHtml(button.callback_data || "")}">${escapeHtml(button.text)}</button>`).join("")}</div>`).join("");
}

function bubble(message) {
  const me = view.info.users.find((user) => user.key === view.user);
  const fromBot = message.from && message.from.id === view.info.bot.id;
  const mine = message.from && message.from.id === me.id;
  const item = document.createElement("li");
  item.className = `message ${fromBot ? "bot" : mine ? "mine" : "other"}`;
  item.dataset.id = message.message_id;
  item.tabIndex = 0;
  item.title = "Click or press Enter to reply";
  const name = message.from ? message.from.first_name : "";
  const edited = message.edit_date ? '<span class="edited">edited</span>' : "";
  item.innerHTML = `<div class="name">${escapeHtml(name)}</div>${quoteOf(message)}${messageBody(message)}`
    + `<div class="keyboard">${keyboardOf(message)}</div>${edited}`;
  return item;
}

function draftBubble(draft) {
  const item = document.createElement("li");
  item.className = "message bot draft";
  item.innerHTML = `<div class="name">${escapeHtml(view.info.bot.first_name)} · draft</div>`
    + `<div class="text">${renderEntities(draft.text, draft.entities)}</div>`;
  return item;
}

async function refresh() {
  const state = await call(`/play/state?chat=${view.chat}&user=${view.user}`);
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  // Unchanged messages keep their element: focus, a pending click and the scroll stay put.
  const kept = new Map([...list.children].map((item) => [item.dataset.id, item]));
  const items = state.messages.map((message) => {
    const fresh = bubble(message);
    const old = kept.get(fresh.dataset.id);
    return old && old.innerHTML === fresh.innerHTML && old.className === fresh.className ? old : fresh;
  });
  list.replaceChildren(...items, ...(state.draft && state.draft.text ? [draftBubble(state.draft)] : []));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function setReply(item) {
  view.replyTo = item ? Number(item.dataset.id) : null;
  $("replying").hidden = !item;
  if (item) {
    const text = item.querySelector(".text, .document");
    $("replying-text").textContent = `Replying to: ${(text ? text.textContent : "").slice(0, 60)}`;
    $("text").focus();
  }
}

function showTyping(on) {
  clearTimeout(view.typingTimer);
  $("typing").hidden = !on;
  $("typing").textContent = `${view.info.bot.first_name} is typing…`;
  if (on) view.typingTimer = setTimeout(() => showTyping(false), TYPING_MS);
}

function logCall(event) {
  const item = document.createElement("li");
  item.className = event.ok ? "call" : "call failed";
  const params = JSON.stringify(event.params, null, 1);
  const chat = event.chat_id === undefined || event.chat_id === null ? "" : ` · chat ${event.chat_id}`;
  item.innerHTML = `<details><summary>${escapeHtml(event.method + chat)}${event.ok ? "" : " ✗ " + escapeHtml(event.error)}</summary>`
    + `<code>POST ${escapeHtml(event.path)}</code><pre>${escapeHtml(params)}</pre></details>`;
  $("calls").prepend(item);
}

function currentChatId() {
  if (view.chat !== "private") return Number(view.chat);
  return view.info.users.find((user) => user.key === view.user).id;
}

function onEvent(event) {
  logCall(event);
  if (event.chat_id !== currentChatId()) return;
  if (event.method === "sendChatAction") showTyping(true);
  else {
    if (/^send/.test(event.method) && event.method !== "sendMessageDraft") showTyping(false);
    refresh().catch((error) => showError(error.message));
  }
}

async function send() {
  const text = $("text").value;
  if (!text.trim()) return;
  showError("");
  try {
    await post("/play/send", { chat: view.chat, user: view.user, text, reply_to: view.replyTo });
    $("text").value = "";
    setReply(null);
    await refresh();
  } catch (error) {
    showError(error.message);
  }
}

async function upload(file) {
  const form = new FormData();
  form.append("chat", view.chat);
  form.append("user", view.user);
  if (view.replyTo) form.append("reply_to", view.replyTo);
  form.append("file", file, file.name);
  showError("");
  try {
    await call("/play/upload", { method: "POST", body: form });
    setReply(null);
    await refresh();
  } catch (error) {
    showError(error.message);
  }
}

function drawChats() {
  $("chats").replaceChildren(...view.info.chats.map((chat) => {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "tab";
    tab.dataset.chat = chat.id;
    tab.textContent = chat.title;
    tab.setAttribute("aria-pressed", String(String(chat.id) === String(view.chat)));
    return tab;
  }));
  const current = view.info.chats.find((chat) => String(chat.id) === String(view.chat));
  $("title").textContent = current.title;
}

function drawMenu() {
  const commands = view.info.commands;
  $("menu").replaceChildren(...commands.map((command) => {
    const item = document.createElement("li");
    item.innerHTML = `<button type="button" data-command="/${escapeHtml(command.command)}">`
      + `<b>/${escapeHtml(command.command)}</b> ${escapeHtml(command.description)}</button>`;
    return item;
  }));
}

function toggleMenu(open) {
  $("menu").hidden = !open;
  $("menu-button").setAttribute("aria-expanded", String(open));
  if (open) $("menu").querySelector("button")?.focus();
}

async function switchTo(chat, user) {
  view.chat = chat;
  view.user = user;
  setReply(null);
  drawChats();
  await refresh();
}

function wire() {
  $("composer").addEventListener("submit", (event) => { event.preventDefault(); send(); });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
    if (event.key === "Escape") setReply(null);
  });
  $("reply-cancel").addEventListener("click", () => setReply(null));
  $("file").addEventListener("change", () => {
    if ($("file").files.length) upload($("file").files[0]);
    $("file").value = "";
  });
  $("menu-button").addEventListener("click", () => toggleMenu($("menu").hidden));
  $("menu").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    $("text").value = `${button.dataset.command} `;
    toggleMenu(false);
    $("text").focus();
  });
  $("menu").addEventListener("keydown", (event) => { if (event.key === "Escape") toggleMenu(false); });
  $("chats").addEventListener("click", (event) => {
    const tab = event.target.closest(".tab");
    if (tab) switchTo(tab.dataset.chat, view.user);
  });
  $("user").addEventListener("change", () => switchTo(view.chat, $("user").value));
  $("messages").addEventListener("click", onMessageClick);
  $("messages").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.classList.contains("message")) setReply(event.target);
  });
}

async function onMessageClick(event) {
  const button = event.target.closest("button.button");
  const item = event.target.closest(".message");
  if (!item || item.classList.contains("draft") || event.target.closest("a")) return;
  if (!button) { setReply(item); return; }
  try {
    await post("/play/press", { chat: view.chat, user: view.user, message_id: Number(item.dataset.id), data: button.dataset.data });
  } catch (error) {
    showError(error.message);
  }
}

async function start() {
  view.info = await call("/play/info");
  $("llm").textContent = view.info.llm;
  $("user").replaceChildren(...view.info.users.map((user) => new Option(`${user.first_name} (${user.role})`, user.key)));
  drawChats();
  drawMenu();
  wire();
  const events = new EventSource("/play/events");
  events.onmessage = (message) => onEvent(JSON.parse(message.data));
  // The menu is set while the bot starts; ask again whenever it changes.
  events.addEventListener("message", (message) => {
    if (JSON.parse(message.data).method === "setMyCommands") {
      call("/play/info").then((info) => { view.info.commands = info.commands; drawMenu(); });
    }
  });
  if (window.matchMedia("(max-width: 700px)").matches) $("panel-details").open = false; // room for the chat
  await refresh();
  document.body.dataset.ready = "true";
  $("text").focus();
}

start().catch((error) => showError(error.message));
