// Telegram text + entities -> safe HTML. Offsets are UTF-16 units, as JavaScript strings are.
"use strict";

const TAGS = {
  bold: ["<b>", "</b>"],
  italic: ["<i>", "</i>"],
  underline: ["<u>", "</u>"],
  strikethrough: ["<s>", "</s>"],
  spoiler: ['<span class="spoiler">', "</span>"],
  code: ["<code>", "</code>"],
  pre: ["<pre><code>", "</code></pre>"],
  blockquote: ["<blockquote>", "</blockquote>"],
  expandable_blockquote: ['<blockquote class="expandable">', "</blockquote>"],
  mention: ['<span class="mention">', "</span>"],
  hashtag: ['<span class="mention">', "</span>"],
  bot_command: ['<span class="command">', "</span>"],
};

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function safeHref(url) {
  return /^(https?:|tg:|mailto:)/i.test(url) ? escapeHtml(url) : "#";
}

function tagsOf(entity, text) {
  if (entity.type === "text_link") {
    return [`<a href="${safeHref(entity.url)}" target="_blank" rel="noopener">`, "</a>"];
  }
  if (entity.type === "url") {
    const url = text.slice(entity.offset, entity.offset + entity.length);
    return [`<a href="${safeHref(url)}" target="_blank" rel="noopener">`, "</a>"];
  }
  return TAGS[entity.type] || ["", ""];
}

// Telegram's entities nest properly: close what ends here, then open what starts here.
function renderEntities(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const open = [];
  let html = "";
  let next = 0;
  for (let i = 0; i <= text.length; i++) {
    while (open.length && open[open.length - 1].end <= i) html += open.pop().close;
    while (next < sorted.length && sorted[next].offset === i) {
      const entity = sorted[next++];
      const [start, close] = tagsOf(entity, text);
      html += start;
      open.push({ end: entity.offset + entity.length, close });
    }
    if (i < text.length) html += escapeHtml(text[i]);
  }
  return html;
}

window.renderEntities = renderEntities;
window.escapeHtml = escapeHtml;
