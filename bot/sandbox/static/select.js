// One combobox for every Block Kit select (static, external, users, conversations,
// channels; single and multi). Slack's selects are typeable menus, so ours are too: an
// <input role=combobox> plus a listbox floating above the page (position: fixed, so a
// modal's scrolling body does not clip it). Options carry data-value for tests.
import { el, plain } from "./mrkdwn.js";

let openMenu = null; // only one menu is open at a time, like Slack

export function closeMenus() {
  if (openMenu) openMenu.close();
}

// opts: {multi, label, placeholder, selected: [{text, value, description?}],
//        load(query) -> Promise<[{label, options}]> (groups; label null for ungrouped),
//        minQuery, remote, onChange(selectedList), attrs}
export function combobox(opts) {
  let selected = [...opts.selected];
  const root = el("div", { class: "bk-select" + (opts.multi ? " bk-select-multi" : ""), ...opts.attrs });
  const input = el("input", {
    class: "bk-select-input", type: "text", role: "combobox", autocomplete: "off",
    "aria-expanded": "false", "aria-autocomplete": "list", "aria-label": opts.label || opts.placeholder || "Select",
    "data-role": "select-input",
  });
  const chips = el("span", { class: "bk-chips" });
  const caret = el("span", { class: "bk-caret", "aria-hidden": "true" }, "▾");
  const control = el("div", { class: "bk-select-control" }, chips, input, caret);
  root.append(control);
  const menu = el("ul", { class: "bk-menu", role: "listbox", "data-testid": "select-menu" });
  let items = [];
  let active = -1;
  let timer = null;
  let seq = 0;

  function labelOf(o) { return plain(o.text); }

  function paint() {
    chips.replaceChildren();
    if (opts.multi) {
      for (const o of selected) {
        chips.append(el("span", { class: "bk-chip", "data-value": o.value }, labelOf(o),
          el("button", { type: "button", class: "bk-chip-x", "aria-label": `Remove ${labelOf(o)}`,
            onclick: (e) => { e.stopPropagation(); remove(o.value); } }, "×")));
      }
      input.placeholder = selected.length ? "" : (opts.placeholder || "Select options");
      if (!isOpen()) input.value = "";
    } else {
      input.placeholder = opts.placeholder || "Select an item";
      if (!isOpen()) input.value = selected[0] ? labelOf(selected[0]) : "";
    }
    root.dataset.selected = selected.map((o) => o.value).join(",");
  }

  function remove(value) {
    selected = selected.filter((o) => o.value !== value);
    paint();
    opts.onChange(selected);
  }

  function pick(o) {
    if (opts.multi) {
      if (!selected.some((s) => s.value === o.value)) selected = [...selected, o];
      input.value = "";
      paint();
      opts.onChange(selected);
      refresh();
      return;
    }
    selected = [o];
    close();
    paint();
    opts.onChange(selected);
  }

  function isOpen() { return openMenu && openMenu.root === root; }

  function place() {
    const r = control.getBoundingClientRect();
    const below = window.innerHeight - r.bottom;
    menu.style.left = `${r.left}px`;
    menu.style.width = `${Math.max(r.width, 220)}px`;
    if (below < 220 && r.top > below) {
      menu.style.top = "";
      menu.style.bottom = `${window.innerHeight - r.top + 4}px`;
    } else {
      menu.style.bottom = "";
      menu.style.top = `${r.bottom + 4}px`;
    }
  }

  function open() {
    if (isOpen()) return;
    closeMenus();
    openMenu = { root, close };
    document.body.append(menu);
    input.setAttribute("aria-expanded", "true");
    if (!opts.multi) input.select();
    place();
    window.addEventListener("scroll", place, true);
    window.addEventListener("resize", place);
    refresh();
  }

  function close() {
    if (!isOpen()) return;
    openMenu = null;
    menu.remove();
    input.setAttribute("aria-expanded", "false");
    window.removeEventListener("scroll", place, true);
    window.removeEventListener("resize", place);
    clearTimeout(timer);
    paint();
  }

  function showNote(text) {
    menu.replaceChildren(el("li", { class: "bk-menu-note", role: "presentation" }, text));
    items = [];
    active = -1;
  }

  function showGroups(groups) {
    menu.replaceChildren();
    items = [];
    const chosen = new Set(selected.map((o) => o.value));
    for (const g of groups) {
      const opts_ = g.options.filter((o) => !(opts.multi && chosen.has(o.value)));
      if (!opts_.length) continue;
      if (g.label) menu.append(el("li", { class: "bk-menu-group", role: "presentation" }, g.label));
      for (const o of opts_) {
        const li = el("li", {
          class: "bk-option", role: "option", "data-value": o.value, id: `opt-${Math.random().toString(36).slice(2)}`,
          "aria-selected": chosen.has(o.value) ? "true" : "false",
          onmousedown: (e) => e.preventDefault(), // keep focus in the input
          onclick: () => pick(o),
        }, el("span", { class: "bk-option-text" }, labelOf(o)),
        o.description ? el("span", { class: "bk-option-desc" }, plain(o.description)) : null);
        items.push({ li, o });
        menu.append(li);
      }
    }
    if (!items.length) showNote("No results");
    setActive(items.length ? 0 : -1);
  }

  function setActive(i) {
    items.forEach((it, j) => it.li.classList.toggle("active", j === i));
    active = i;
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", items[i].li.id);
      items[i].li.scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function refresh() {
    const query = opts.multi || input.value !== (selected[0] && labelOf(selected[0])) ? input.value : "";
    clearTimeout(timer);
    if (!opts.remote) {
      opts.load(query).then(showGroups);
      return;
    }
    const min = opts.minQuery ?? 3;
    if (query.length < min) {
      showNote(`Type ${min - query.length} more character${min - query.length === 1 ? "" : "s"}…`);
      return;
    }
    showNote("Loading…");
    const mine = ++seq;
    // Debounced like Slack, and only the latest answer is shown.
    timer = setTimeout(() => {
      opts.load(query).then((groups) => { if (mine === seq && isOpen()) showGroups(groups); },
        (err) => { if (mine === seq && isOpen()) showNote(`Could not load options: ${err.message || err}`); });
    }, 250);
  }

  input.addEventListener("focus", () => { if (!input.dataset.quietFocus) open(); });
  input.addEventListener("click", open);
  input.addEventListener("input", () => { open(); refresh(); });
  input.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== input) close(); }, 120));
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!isOpen()) { open(); return; }
      if (!items.length) return;
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((active + step + items.length) % items.length);
    } else if (e.key === "Enter") {
      e.preventDefault(); // never submit the modal from a select
      if (isOpen() && active >= 0) pick(items[active].o);
    } else if (e.key === "Escape") {
      if (isOpen()) { e.stopPropagation(); close(); }
    } else if (e.key === "Backspace" && opts.multi && !input.value && selected.length) {
      remove(selected[selected.length - 1].value);
    }
  });
  control.addEventListener("mousedown", (e) => {
    if (e.target !== input && !e.target.closest(".bk-chip-x")) { e.preventDefault(); input.focus(); open(); }
  });
  paint();
  return root;
}

// Filters local option groups by the typed text (case-insensitive, on the label).
export function localLoader(groups) {
  return (query) => {
    const q = query.trim().toLowerCase();
    return Promise.resolve(groups.map((g) => ({
      label: g.label,
      options: g.options.filter((o) => !q || plain(o.text).toLowerCase().includes(q)),
    })));
  };
}

// A menu whose root left the page (its surface was re-rendered) must not float on.
export function closeDetachedMenus() {
  if (openMenu && !openMenu.root.isConnected) openMenu.close();
}
