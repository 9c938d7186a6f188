// The conversation pane: messages oldest first with day separators, each rendered once
// and kept while it does not change (so a select opened in a message survives polls).
import { el, mrkdwn, textObject } from "./mrkdwn.js";
import { renderBlocks } from "./blockkit.js";
import { messageTime, dayLabel, dayKey } from "./dates.js";
import { focusedElement, restoreFocus } from "./modal.js";
import { pruneDrafts } from "./drafts.js";

const COLORS = ["#e8912d", "#2eb67d", "#36c5f0", "#e01e5a", "#4a154b", "#1264a3", "#de4e2b", "#7c3085"];

export function avatar(name, id, isBot) {
  const initial = (name || "?").trim().charAt(0).toUpperCase() || "?";
  let h = 0;
  for (const c of id || name || "") h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const node = el("div", { class: "avatar" + (isBot ? " avatar-bot" : ""), "aria-hidden": "true" }, initial);
  if (!isBot) node.style.background = COLORS[h % COLORS.length];
  return node;
}

function authorOf(message, ctx) {
  if (message.author && message.author.name) return message.author;
  const p = message.user && ctx.people.get(message.user);
  if (p) return { name: p.real_name || p.name, is_bot: false };
  return { name: message.username || (message.bot_id ? "Trainbot" : message.user || "Someone"), is_bot: !!message.bot_id };
}

function attachment(a, rc) {
  const box = el("div", { class: "msg-attachment" });
  if (a.color) box.style.borderLeftColor = a.color.startsWith("#") ? a.color : { good: "#2eb67d", warning: "#ecb22e", danger: "#e01e5a" }[a.color] || "#ddd";
  if (a.pretext) box.append(el("div", {}, mrkdwn(a.pretext, rc.ctx)));
  if (a.title) box.append(el("div", { class: "msg-attachment-title" },
    a.title_link ? el("a", { href: a.title_link, target: "_blank", rel: "noopener" }, a.title) : a.title));
  if (a.text) box.append(el("div", {}, mrkdwn(a.text, rc.ctx)));
  if (a.fields && a.fields.length) {
    box.append(el("div", { class: "bk-fields" }, a.fields.map((f) =>
      el("div", { class: "bk-field" + (f.short ? "" : " wide") }, el("b", {}, f.title || ""), el("div", {}, mrkdwn(f.value || "", rc.ctx))))));
  }
  if (a.blocks) box.append(renderBlocks(a.blocks, rc));
  if (a.image_url) box.append(el("img", { class: "bk-img", src: a.image_url, alt: a.fallback || "" }));
  if (a.footer) box.append(el("div", { class: "bk-context" }, el("span", { class: "bk-context-text" }, mrkdwn(a.footer, rc.ctx))));
  if (!box.childNodes.length && a.fallback) box.append(a.fallback);
  return box;
}

function files(list) {
  return el("div", { class: "msg-files", "data-testid": "message-files" }, list.map((f) => {
    const src = `/files/${encodeURIComponent(f.id)}`;
    const name = f.title || f.name || f.id;
    return (f.mimetype || "").startsWith("image/")
      ? el("a", { href: src, target: "_blank", class: "msg-file-image", "data-testid": "file-preview" }, el("img", { src, alt: name }))
      : el("a", { href: src, target: "_blank", class: "msg-file", "data-testid": "file" }, `📄 ${name}`);
  }));
}

function message(m, rcFor, ctx) {
  const author = authorOf(m, ctx);
  const rc = rcFor(m);
  const body = el("div", { class: "msg-body" });
  if (m.blocks && m.blocks.length) body.append(renderBlocks(m.blocks, rc));
  else if (m.text) body.append(m.mrkdwn === false ? textObject({ type: "plain_text", text: m.text }, ctx) : mrkdwn(m.text, ctx));
  for (const a of m.attachments || []) body.append(attachment(a, rc));
  if (m.files && m.files.length) body.append(files(m.files));
  if (m.edited) body.append(el("span", { class: "msg-edited", "data-testid": "edited" }, "(edited)"));
  const ts = Number(m.ts);
  return el("div", {
    class: "msg" + (m.ephemeral ? " msg-ephemeral" : ""), "data-testid": "message", "data-ts": m.ts,
    "data-author": author.name, "data-user": m.user || "", "data-ephemeral": m.ephemeral ? "true" : "false",
  },
  avatar(author.name, m.user || m.bot_id, author.is_bot),
  el("div", { class: "msg-content" },
    el("div", { class: "msg-header" },
      el("span", { class: "msg-author" }, author.name),
      author.is_bot ? el("span", { class: "app-badge" }, "APP") : null,
      el("time", { class: "msg-time", datetime: isFinite(ts) ? new Date(ts * 1000).toISOString() : "" },
        isFinite(ts) ? messageTime(ts, ctx.tz) : "")),
    m.ephemeral ? el("div", { class: "msg-ephemeral-note", "data-testid": "ephemeral-note" }, "👁 Only visible to you") : null,
    body));
}

// Renders `messages` into `list`, reusing the nodes of unchanged messages.
// Returns true when something new arrived (the caller scrolls down then).
export function renderMessages(list, messages, ctx, ctxKey, rcFor) {
  const old = new Map();
  for (const node of list.children) if (node.dataset.key) old.set(node.dataset.key, node);
  const wanted = [];
  let lastDay = null;
  let fresh = false;
  for (const m of messages) {
    const ts = Number(m.ts);
    const day = isFinite(ts) ? dayKey(ts, ctx.tz) : null;
    if (day && day !== lastDay) {
      const key = `day:${day}:${ctxKey}`;
      wanted.push(old.get(key) || el("div", { class: "day-divider", "data-key": key, role: "separator" },
        el("span", {}, dayLabel(ts, ctx.tz, ctx.now))));
      lastDay = day;
    }
    const key = `msg:${JSON.stringify(m)}:${ctxKey}`;
    let node = old.get(key);
    if (!node) {
      try {
        node = message(m, rcFor, ctx);
      } catch (err) {
        console.error("message failed to render", m, err);
        node = el("div", { class: "msg bk-unsupported", "data-testid": "message" }, `could not render message ${m.ts}: ${err.message}`);
      }
      node.dataset.key = key;
      fresh = true;
    }
    wanted.push(node);
  }
  const same = wanted.length === list.children.length && wanted.every((n, i) => list.children[i] === n);
  if (!same) list.replaceChildren(...wanted);
  if (!messages.length && !list.querySelector(".empty")) {
    list.replaceChildren(el("div", { class: "empty" }, "No messages yet. Type / to see the bot's commands."));
  }
  return fresh;
}

// App Home: the published view, rebuilt only when the app publishes a new one.
export function renderHome(root, view, ctxKey, rcFor, homeLoading) {
  const key = view ? `${JSON.stringify({ ...view, state: undefined })}:${ctxKey}` : `none:${homeLoading}`;
  if (root.dataset.key === key) return;
  root.dataset.key = key;
  root.dataset.viewId = view ? view.id : "";
  if (!view) {
    root.replaceChildren(el("div", { class: "empty" }, homeLoading ? "Opening App Home…" : "Trainbot has not published an App Home for you yet."));
    return;
  }
  pruneDrafts(view);
  const focus = focusedElement(root);
  root.replaceChildren(renderBlocks(view.blocks, rcFor(view)));
  restoreFocus(root, focus, false);
}

