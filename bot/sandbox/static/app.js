// The sandbox page: polls GET /api/state, renders the sidebar, the conversation or App
// Home, and the modal stack, and turns every click into the JSON API of PROTOCOL.md.
// Where we are (user, conversation or Home) lives in the URL hash, so a reload or a
// test can open the page at a given place: #user=U123&view=home|messages|C123.
import { api } from "./api.js";
import { el } from "./mrkdwn.js";
import { draftFor, dropOtherViews } from "./drafts.js";
import { renderModals, confirmDialog } from "./modal.js";
import { renderMessages, renderHome } from "./messages.js";
import { buildSidebar } from "./sidebar.js";
import { buildComposer } from "./composer.js";
import { buildCalls } from "./calls.js";
import { closeDetachedMenus } from "./select.js";
import { dayKey, zonedToInstant } from "./dates.js";

const POLL_MS = 500;
const S = { user: null, nav: { kind: "app", tab: "messages" }, state: null, shownKey: null, homeLoading: false };

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (h.get("user")) S.user = h.get("user");
  const v = h.get("view");
  if (v === "home" || v === "messages") S.nav = { kind: "app", tab: v };
  else if (v) S.nav = { kind: "channel", id: v };
}

function writeHash() {
  const v = S.nav.kind === "app" ? S.nav.tab : S.nav.id;
  const h = new URLSearchParams();
  if (S.user) h.set("user", S.user);
  h.set("view", v);
  history.replaceState(null, "", `#${h}`);
}

// mrkdwn context: lookups by id, and the viewer's timezone and sandbox clock.
function buildCtx(st) {
  const me = (st.people || []).find((p) => p.id === st.user);
  const people = new Map((st.people || []).map((p) => [p.id, p]));
  if (st.bot && st.bot.user_id && !people.has(st.bot.user_id)) {
    people.set(st.bot.user_id, { id: st.bot.user_id, name: st.bot.name, real_name: st.bot.name });
  }
  return {
    people,
    channels: new Map((st.channels || []).map((c) => [c.id, c])),
    usergroups: new Map((st.usergroups || []).map((g) => [g.id, g])),
    tz: (me && me.tz) || "UTC",
    now: new Date(st.now || Date.now()),
    dmId: st.dm && st.dm.id,
    conversationId: st.conversation && st.conversation.id,
  };
}

const toasts = el("div", { class: "toasts", "aria-live": "polite" });
function toast(text, kind = "error") {
  const node = el("div", { class: `toast ${kind}`, "data-testid": "toast", role: "alert" }, text);
  toasts.append(node);
  setTimeout(() => node.remove(), 6000);
}

// Acting endpoints answer with the app's HTTP status; Slack shows failures and slowness.
function report(answer, what) {
  if (answer && typeof answer.status === "number" && answer.status >= 400) {
    toast(`${what}: Trainbot answered HTTP ${answer.status}.`);
  } else if (answer && answer.ms > 3000) {
    toast(`${what} took ${Math.round(answer.ms)} ms; Slack gives up after 3 seconds.`, "warn");
  }
  return answer;
}

// Tests can wait for body[data-pending="0"] after a click (and read data-version).
let pending = 0;
function setPending(delta) {
  pending += delta;
  document.body.dataset.pending = String(pending);
}

async function acting(what, promise) {
  setPending(1);
  try {
    const answer = report(await promise, what);
    poll(true);
    return answer;
  } catch (err) {
    toast(`${what}: ${err.message}`);
    poll(true);
    throw err;
  } finally {
    setPending(-1);
  }
}

const app = {
  tz: () => (S.ctx ? S.ctx.tz : "UTC"),
  commands: () => (S.state && S.state.commands) || [],
  go(nav) {
    S.nav = nav;
    writeHash();
    if (nav.kind === "app" && nav.tab === "home") openHome();
    render(true);
    poll(true);
  },
  switchUser(user) {
    S.user = user;
    writeHash();
    if (S.nav.kind === "app" && S.nav.tab === "home") openHome();
    poll(true);
  },
  // Failures show under the message box (composer.js), not as a toast as well.
  command: async (text) => {
    setPending(1);
    try {
      return report(await api.command(S.user, commandConversation(), text), text.split(/\s/)[0]);
    } finally {
      setPending(-1);
      poll(true);
    }
  },
  shortcuts: () => (S.state && S.state.shortcuts) || [],
  // Global shortcuts are not in PROTOCOL.md; the server answers POST /api/shortcut.
  shortcut: (callbackId) => acting("Shortcut", api.shortcut(S.user, callbackId)).catch(() => {}),
  travel: async (value) => {
    setPending(1);
    try {
      return await api.travel(zonedToInstant(value, app.tz()));
    } finally {
      setPending(-1);
      poll(true);
    }
  },
  toggleCalls: (force) => calls.toggle(force),
  callsChanged: (open, total, problems) => sidebar.callsState(open, total, problems),
};

function openHome() {
  // Opening the Home tab is app_home_opened, as when a person clicks the app in Slack.
  S.homeLoading = true;
  setPending(1);
  api.home(S.user).then(report, (err) => toast(`App Home: ${err.message}`))
    .finally(() => { S.homeLoading = false; setPending(-1); poll(true); });
}

// The state's conversation: a channel, or (left out) the person's DM with the bot.
function conversationParam() {
  return S.nav.kind === "channel" ? S.nav.id : undefined;
}

// Where a slash command is typed: the channel, or the DM shown for this person.
function commandConversation() {
  if (S.nav.kind === "channel") return S.nav.id;
  return S.state && S.state.user === S.user && S.state.dm ? S.state.dm.id : undefined;
}

// Render context for a surface: a message (container message) or a view.
function rcForMessage(m) {
  return {
    ctx: S.ctx, viewId: null, errors: null,
    confirm: (c) => confirmDialog(c, S.ctx),
    act: (block, element, value) => acting(element.action_id || "action", api.action({
      user: S.user, container: { type: "message", channel: S.state.conversation.id, ts: m.ts },
      block_id: block.block_id || "", action_id: element.action_id || "", value,
    })).catch(() => {}),
    suggest: (block, element, query) => api.suggest({ user: S.user, view_id: null,
      block_id: block.block_id || "", action_id: element.action_id || "", query }),
  };
}

function rcForView(view, errors = null) {
  return {
    ctx: S.ctx, viewId: view.id, errors,
    confirm: (c) => confirmDialog(c, S.ctx),
    act: (block, element, value) => acting(element.action_id || "action", api.action({
      user: S.user, container: { type: "view", view_id: view.id },
      block_id: block.block_id || "", action_id: element.action_id || "", value, draft: draftFor(view),
    })).catch(() => {}),
    suggest: (block, element, query) => api.suggest({ user: S.user, view_id: view.id,
      block_id: block.block_id || "", action_id: element.action_id || "", query }),
    upload: async (file) => (await api.upload(S.user, file.name, await base64Of(file))).file,
  };
}

async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const modalHost = {
  rcFor: rcForView,
  submit: (view, draft) => acting("Submit", api.submit(S.user, view.id, draft)).catch(() => null),
  close: (view) => acting("Close", api.close(S.user, view.id)).catch(() => {}),
  async closeAll() {
    // The ✕ closes the whole stack in Slack: top first, as each view_closed would come.
    for (const view of [...((S.state && S.state.modals) || [])].reverse()) {
      try { await api.close(S.user, view.id); } catch (err) { toast(`Close: ${err.message}`); break; }
    }
    poll(true);
  },
};

// ---- layout ---------------------------------------------------------------------------
const sideRoot = el("aside", { class: "sidebar" });
const title = el("h1", { class: "pane-title", "data-testid": "pane-title" });
const tabs = el("div", { class: "pane-tabs", role: "tablist" },
  el("button", { type: "button", role: "tab", class: "pane-tab", "data-testid": "tab-home",
    onclick: () => app.go({ kind: "app", tab: "home" }) }, "Home"),
  el("button", { type: "button", role: "tab", class: "pane-tab", "data-testid": "tab-messages",
    onclick: () => app.go({ kind: "app", tab: "messages" }) }, "Messages"));
const list = el("div", { class: "messages", "data-testid": "messages", role: "log", "aria-live": "polite" });
const home = el("div", { class: "home", "data-testid": "home", hidden: true });
const composerRoot = el("div", { class: "composer-wrap" });
const scroller = el("div", { class: "pane-scroll" }, list, home);
const pane = el("main", { class: "pane" }, el("header", { class: "pane-header" }, title, tabs), scroller, composerRoot);
const callsRoot = el("aside", { class: "calls", "data-testid": "calls", hidden: true });
const modalRoot = el("div", { class: "modal-root", hidden: true });
const banner = el("div", { class: "banner", "data-testid": "connection", hidden: true });
document.body.append(el("div", { class: "layout" }, sideRoot, pane, callsRoot), modalRoot, toasts, banner);
const sidebar = buildSidebar(sideRoot, app);
const composer = buildComposer(composerRoot, app);
const calls = buildCalls(callsRoot, app);

function render(force = false) {
  const st = S.state;
  if (!st) return;
  S.ctx = buildCtx(st);
  const ctxKey = JSON.stringify([st.user, st.people, st.channels, st.usergroups, S.ctx.tz,
    dayKey(S.ctx.now.getTime() / 1000, S.ctx.tz)]);
  // The conversation is in the key: go() renders the old state at once, and the state of
  // the conversation just opened may carry the same version (nothing new happened).
  const key = JSON.stringify([st.version, S.nav, st.conversation && st.conversation.id, S.homeLoading, ctxKey]);
  sidebar.update(st, S.nav); // cheap, and keeps the clock current between versions
  if (!force && key === S.shownKey) return;
  S.shownKey = key;
  const isApp = S.nav.kind === "app";
  const onHome = isApp && S.nav.tab === "home";
  const conv = st.conversation || { messages: [] };
  title.textContent = isApp ? "Trainbot" : `# ${conv.name || S.nav.id}`;
  tabs.hidden = !isApp;
  tabs.querySelectorAll(".pane-tab").forEach((t) => {
    const mine = t.dataset.testid === (onHome ? "tab-home" : "tab-messages");
    t.classList.toggle("active", mine);
    t.setAttribute("aria-selected", mine ? "true" : "false");
  });
  list.hidden = onHome;
  home.hidden = !onHome;
  composerRoot.hidden = onHome;
  composer.setPlaceholder(isApp ? "Message Trainbot (slash commands)" : `Message #${conv.name || ""} (slash commands)`);
  if (onHome) {
    renderHome(home, st.home, ctxKey, (v) => rcForView(v), S.homeLoading);
  } else {
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
    const convKey = `${st.user}:${conv.id}`;
    const fresh = renderMessages(list, conv.messages || [], S.ctx, ctxKey, rcForMessage);
    // Newest at the bottom: follow new messages unless the person scrolled up to read.
    if (list.dataset.conv !== convKey || (fresh && nearBottom)) scroller.scrollTop = scroller.scrollHeight;
    list.dataset.conv = convKey;
  }
  renderModals(modalRoot, st.modals || [], { ...modalHost, ctxKey });
  const live = new Set([...(st.modals || []).map((v) => v.id), ...(st.home ? [st.home.id] : [])]);
  dropOtherViews(live);
  closeDetachedMenus();
}

// ---- polling ----------------------------------------------------------------------------
let inflight = null;
let again = false;

async function poll(soon = false) {
  if (inflight) { again ||= soon; return inflight; }
  inflight = (async () => {
    try {
      const st = await api.state(S.user, conversationParam());
      banner.hidden = true;
      if (!S.user) { S.user = st.user; writeHash(); }
      if (st.user !== S.user) return; // an answer for the person we just switched away from
      S.state = st;
      document.body.dataset.version = String(st.version);
      render();
    } catch (err) {
      banner.hidden = false;
      banner.textContent = `Sandbox server: ${err.message}`;
    } finally {
      inflight = null;
    }
  })();
  await inflight;
  if (again) { again = false; poll(); }
}

// Escape closes the modal stack like the ✕ (open menus and dialogs take Escape first).
document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape" || e.defaultPrevented || !(S.state && S.state.modals && S.state.modals.length)) return;
  if (document.querySelector(".bk-menu, .confirm-backdrop")) return;
  modalHost.closeAll();
});

document.body.dataset.pending = "0";
readHash();
window.addEventListener("hashchange", () => {
  // A link or a typed URL moved us: opening someone's Home is app_home_opened, as in go().
  const before = JSON.stringify([S.user, S.nav]);
  readHash();
  if (JSON.stringify([S.user, S.nav]) !== before && S.nav.kind === "app" && S.nav.tab === "home") openHome();
  render(true);
  poll(true);
});
poll().then(() => { writeHash(); if (S.nav.kind === "app" && S.nav.tab === "home") openHome(); });
setInterval(poll, POLL_MS);
setInterval(() => calls.poll(), 1000);
calls.poll();
