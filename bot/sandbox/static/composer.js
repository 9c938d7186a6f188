// The message box. Only slash commands reach the bot (as in Slack, where plain messages
// to an app go nowhere unless it listens for them); "/" opens the command list.
import { el } from "./mrkdwn.js";

export function buildComposer(root, app) {
  const list = el("ul", { class: "cmd-suggest", role: "listbox", id: "cmd-suggest",
    "data-testid": "command-suggestions", hidden: true });
  const box = el("textarea", { class: "composer-input", rows: "1", "data-testid": "composer",
    "aria-label": "Message", "aria-autocomplete": "list", "aria-controls": "cmd-suggest", placeholder: "Message" });
  // Slack's ⚡ button: the app's global shortcuts (state.shortcuts).
  const shortcutList = el("ul", { class: "cmd-suggest", role: "menu", "data-testid": "shortcut-list", hidden: true });
  const bolt = el("button", { type: "button", class: "composer-bolt", "aria-label": "Shortcuts", title: "Shortcuts",
    "aria-haspopup": "menu", "data-testid": "shortcuts" }, "⚡");
  bolt.addEventListener("click", () => {
    const items = app.shortcuts();
    shortcutList.hidden = !shortcutList.hidden || !items.length;
    shortcutList.replaceChildren(...items.map((sc) => el("li", {
      class: "cmd", role: "menuitem", tabindex: "0", "data-callback-id": sc.callback_id,
      onclick: () => { shortcutList.hidden = true; app.shortcut(sc.callback_id); },
      onkeydown: (e) => { if (e.key === "Enter") e.target.click(); },
    }, el("span", { class: "cmd-name" }, sc.name), el("div", { class: "cmd-desc" }, sc.description || ""))));
    if (!items.length) setHint("Trainbot has no shortcuts.");
  });
  document.addEventListener("click", (e) => { if (!bolt.contains(e.target)) shortcutList.hidden = true; });
  const send = el("button", { type: "button", class: "composer-send", "aria-label": "Send", title: "Send (Enter)" }, "➤");
  const hint = el("div", { class: "composer-hint", "data-testid": "composer-hint", role: "status" });
  root.append(list, shortcutList, el("div", { class: "composer" }, bolt, box, send), hint);
  let matches = [];
  let active = 0;
  let busy = false;

  function setHint(text, kind = "") {
    hint.textContent = text;
    hint.className = `composer-hint ${kind}`;
  }

  function suggest() {
    const text = box.value;
    const m = /^\/(\S*)$/.exec(text);
    matches = m ? app.commands().filter((c) => c.command.slice(1).startsWith(m[1])) : [];
    list.hidden = !matches.length;
    list.replaceChildren(...matches.map((c, i) => el("li", {
      class: "cmd" + (i === active ? " active" : ""), role: "option", "data-command": c.command,
      "aria-selected": i === active ? "true" : "false",
      onmousedown: (e) => { e.preventDefault(); choose(i); },
    }, el("span", { class: "cmd-name" }, c.command), " ",
    el("span", { class: "cmd-usage" }, c.usage_hint || ""),
    el("div", { class: "cmd-desc" }, c.description || ""))));
  }

  function choose(i) {
    box.value = `${matches[i].command} `;
    active = 0;
    suggest();
    box.focus();
  }

  async function submit() {
    const text = box.value.trim();
    if (!text || busy) return;
    if (!text.startsWith("/")) {
      setHint("Only slash commands reach Trainbot here. Type / to see them, e.g. /training help.", "warn");
      return;
    }
    busy = true;
    setHint(`Sending ${text.split(/\s/)[0]}…`);
    try {
      const answer = await app.command(text);
      box.value = "";
      autosize();
      setHint(answer && answer.status && answer.status !== 200 ? `Trainbot answered HTTP ${answer.status}.` : "",
        answer && answer.status && answer.status !== 200 ? "error" : "");
    } catch (err) {
      setHint(err.message, "error");
    } finally {
      busy = false;
      suggest();
    }
  }

  function autosize() {
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, 200)}px`;
  }

  box.addEventListener("input", () => { active = 0; suggest(); autosize(); if (hint.classList.contains("warn")) setHint(""); });
  box.addEventListener("blur", () => setTimeout(() => { list.hidden = true; }, 100));
  box.addEventListener("focus", suggest);
  box.addEventListener("keydown", (e) => {
    if (!list.hidden && matches.length) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + matches.length) % matches.length;
        suggest();
        return;
      }
      if (e.key === "Tab" || (e.key === "Enter" && !e.shiftKey && box.value.trim() !== matches[active].command)) {
        e.preventDefault();
        choose(active);
        return;
      }
      if (e.key === "Escape") { list.hidden = true; return; }
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  });
  send.addEventListener("click", submit);
  return {
    setPlaceholder(text) { box.placeholder = text; },
  };
}
