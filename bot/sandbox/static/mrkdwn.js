// Slack mrkdwn -> DOM nodes. Nothing here uses innerHTML: every piece of text becomes a
// text node, so the text's own &lt; &gt; &amp; (Slack's escaping) are decoded, never parsed.
import { emojify } from "./emoji.js";
import { formatSlackDate } from "./dates.js";

const PH = 0xe000; // private-use characters stand in for <tokens> while formatting is parsed

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function decodeEntities(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

// A Slack file permalink (https://team.slack.com/files/U…/F…/name) opens the sandbox's own
// copy of the file: the sandbox never sends the browser to Slack.
const SLACK_FILE = /^https:\/\/[^/]+\.slack\.com\/files\/[^/]+\/(F[A-Z0-9]+)(\/[^?#]*)?/;

function safeHref(url) {
  const file = SLACK_FILE.exec(url);
  if (file) return `/files/${file[1]}`;
  return /^(https?:|mailto:|tel:|\/)/i.test(url) ? url : null;
}

export function link(href, label) {
  const safe = safeHref(href);
  if (!safe) return document.createTextNode(label);
  return el("a", { href: safe, target: "_blank", rel: "noopener noreferrer", class: "mk-link" }, label);
}

// A person's display name the way Slack shows mentions: real name, else handle.
export function personName(ctx, id, fallback) {
  const p = ctx.people && ctx.people.get(id);
  return p ? (p.real_name || p.name || id) : (fallback || id);
}

// One <...> token: links, mentions, channels, groups, broadcasts, dates.
function tokenNode(raw, ctx) {
  const bar = raw.indexOf("|");
  const target = bar >= 0 ? raw.slice(0, bar) : raw;
  const label = bar >= 0 ? decodeEntities(raw.slice(bar + 1)) : null;
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return el("span", { class: "mention", "data-user-id": id },
      "@" + personName(ctx, id, label ? label.replace(/^@/, "") : null));
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const c = ctx.channels && ctx.channels.get(id);
    return el("span", { class: "mention mention-channel", "data-channel-id": id },
      "#" + (c ? c.name : (label || id)));
  }
  if (target.startsWith("!subteam^")) {
    const id = target.slice(9);
    const g = ctx.usergroups && ctx.usergroups.get(id);
    const handle = g ? "@" + g.handle : (label || "@" + id);
    return el("span", { class: "mention mention-group", "data-usergroup-id": id },
      handle.startsWith("@") ? handle : "@" + handle);
  }
  if (target.startsWith("!date^")) {
    const [, epoch, format = "{date}", url] = target.split("^");
    const text = formatSlackDate(Number(epoch), format, ctx.tz, ctx.now || new Date());
    const shown = text === null ? (label || raw) : text;
    return url ? link(url, shown) : el("span", { class: "mk-date", title: label || "" }, shown);
  }
  if (target.startsWith("!")) {
    const word = target.slice(1);
    if (["here", "channel", "everyone"].includes(word)) {
      return el("span", { class: "mention mention-broadcast" }, "@" + word);
    }
    return document.createTextNode(label || "");
  }
  if (/^(https?:\/\/|mailto:|tel:)/i.test(target)) {
    const shown = label || decodeEntities(target.replace(/^mailto:/i, ""));
    return link(decodeEntities(target), emojify(shown));
  }
  return document.createTextNode(label || decodeEntities("<" + raw + ">"));
}

// Plain text runs: entities decoded, emoji mapped, bare URLs linked, tokens put back.
function textNodes(s, tokens, ctx, opts) {
  const out = [];
  const re = new RegExp(`[\\u${PH.toString(16)}-\\u${(PH + 4095).toString(16)}]`, "g");
  let last = 0;
  const pushText = (t) => {
    if (!t) return;
    let text = decodeEntities(t);
    if (!opts.noEmoji) text = emojify(text);
    const urlRe = /https?:\/\/[^\s<>]+[^\s<>.,;:!?)"']/g;
    let i = 0;
    for (const m of text.matchAll(urlRe)) {
      if (m.index > i) out.push(document.createTextNode(text.slice(i, m.index)));
      out.push(link(m[0], m[0]));
      i = m.index + m[0].length;
    }
    if (i < text.length) out.push(document.createTextNode(text.slice(i)));
  };
  for (const m of s.matchAll(re)) {
    pushText(s.slice(last, m.index));
    out.push(tokenNode(tokens[m[0].charCodeAt(0) - PH], ctx));
    last = m.index + 1;
  }
  pushText(s.slice(last));
  return out;
}

const MARKS = { "*": "b", "_": "i", "~": "s" };
const MARK_RE = Object.fromEntries(Object.keys(MARKS).map((m) => {
  const e = m === "*" ? "\\*" : m;
  // Opening mark after a non-word character, closing mark before one: Slack leaves
  // snake_case and 2*3*4 alone.
  return [m, new RegExp(`(^|[^\\p{L}\\p{N}${e}])${e}(?=\\S)([^\\n]*?\\S)${e}(?![\\p{L}\\p{N}])`, "u")];
}));

function formatted(s, tokens, ctx, depth = 0) {
  if (depth > 6) return textNodes(s, tokens, ctx, {});
  let best = null;
  for (const [mark, re] of Object.entries(MARK_RE)) {
    const m = re.exec(s);
    if (m && (!best || m.index + m[1].length < best.start)) {
      best = { start: m.index + m[1].length, end: m.index + m[0].length, inner: m[2], mark };
    }
  }
  if (!best) return textNodes(s, tokens, ctx, {});
  return [
    ...textNodes(s.slice(0, best.start), tokens, ctx, {}),
    el(MARKS[best.mark], {}, formatted(best.inner, tokens, ctx, depth + 1)),
    ...formatted(s.slice(best.end), tokens, ctx, depth),
  ];
}

// One line: `code` spans first (taken literally), then tokens, then *_~ formatting.
function inline(line, ctx) {
  const out = [];
  const parts = line.split(/(`[^`\n]+`)/);
  for (const part of parts) {
    if (!part) continue;
    if (part.length > 2 && part.startsWith("`") && part.endsWith("`")) {
      out.push(el("code", { class: "mk-code" }, literal(part.slice(1, -1), ctx)));
      continue;
    }
    const tokens = [];
    const masked = part.replace(/<([^<>\n]+)>/g, (_, raw) => {
      tokens.push(raw);
      return String.fromCharCode(PH + tokens.length - 1);
    });
    out.push(...formatted(masked, tokens, ctx));
  }
  return out;
}

// Code and pre: no formatting and no emoji, but links and mentions still read as names.
function literal(text, ctx) {
  const tokens = [];
  const masked = text.replace(/<([^<>\n]+)>/g, (_, raw) => {
    tokens.push(raw);
    return String.fromCharCode(PH + tokens.length - 1);
  });
  return textNodes(masked, tokens, ctx, { noEmoji: true });
}

const QUOTE = /^(?:>|&gt;) ?/;
const BULLET = /^\s*(?:[•◦▪▸‣]|[-*](?= ))\s/;

function lines(text, ctx) {
  const out = [];
  let quote = null;
  for (const line of text.split("\n")) {
    if (QUOTE.test(line)) {
      if (!quote) { quote = el("blockquote", { class: "mk-quote" }); out.push(quote); }
      quote.append(el("div", { class: "mk-line" }, inline(line.replace(QUOTE, ""), ctx)));
      continue;
    }
    quote = null;
    const cls = BULLET.test(line) ? "mk-line mk-bullet" : "mk-line";
    out.push(el("div", { class: cls }, inline(line, ctx)));
  }
  return out;
}

// Full mrkdwn text -> a fragment of block-level nodes.
export function mrkdwn(text, ctx) {
  const frag = document.createDocumentFragment();
  const src = String(text ?? "");
  const fence = /```([\s\S]*?)```/g;
  let last = 0;
  for (const m of src.matchAll(fence)) {
    const before = src.slice(last, m.index).replace(/\n$/, "");
    if (before) frag.append(...lines(before, ctx));
    frag.append(el("pre", { class: "mk-pre" }, literal(m[1].replace(/^\n/, "").replace(/\n$/, ""), ctx)));
    last = m.index + m[0].length;
  }
  const rest = src.slice(last).replace(last ? /^\n/ : /^$/, "");
  if (rest || !last) frag.append(...lines(rest, ctx));
  return frag;
}

// plain_text objects: literal, shortcodes mapped only with emoji:true (Slack's default).
export function plain(obj) {
  if (obj === null || obj === undefined) return "";
  if (typeof obj === "string") return obj;
  const text = String(obj.text ?? "");
  return obj.emoji === false ? text : emojify(text);
}

// Any text object: mrkdwn -> fragment, plain_text -> text node.
export function textObject(obj, ctx) {
  if (!obj) return document.createTextNode("");
  if (obj.type === "mrkdwn") {
    return obj.verbatim ? mrkdwnVerbatim(obj.text, ctx) : mrkdwn(obj.text, ctx);
  }
  const frag = document.createDocumentFragment();
  String(plain(obj)).split("\n").forEach((line, i) => {
    if (i) frag.append(el("br"));
    frag.append(document.createTextNode(line));
  });
  return frag;
}

// verbatim mrkdwn still formats; Slack only skips auto-linking, which we do not do anyway.
function mrkdwnVerbatim(text, ctx) { return mrkdwn(text, ctx); }
