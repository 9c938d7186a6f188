// The modal stack (only the top view is shown, with a Back arrow when views are
// stacked, like Slack) and Slack's confirmation dialog. A modal is rebuilt only when the
// app changed its view, so a poll never steals the focus or the text being typed; its
// errors are patched in place.
import { el, plain, textObject } from "./mrkdwn.js";
import { renderBlocks, currentValue } from "./blockkit.js";
import { draftFor, pruneDrafts } from "./drafts.js";
import { isEmpty } from "./inputs.js";

const localErrors = new Map(); // view key -> errors from the last submit answer / checks

function viewKey(view, ctxKey) {
  const { state, errors, ...rest } = view; // state/errors change without a new layout
  return JSON.stringify(rest) + "\u0000" + ctxKey;
}

// host: {ctx, ctxKey, rcFor(view, errors), submit(view) -> Promise<errors|null>,
//        close(view), closeAll(), busy}
export function renderModals(container, modals, host) {
  const top = modals[modals.length - 1];
  if (!top) {
    container.replaceChildren();
    container.hidden = true;
    return;
  }
  container.hidden = false;
  const key = viewKey(top, host.ctxKey);
  const shown = container.querySelector("[data-testid=modal]");
  const errors = () => ({ ...(localErrors.get(key) || {}), ...(top.errors || {}) });
  if (shown && shown.dataset.key === key) {
    patchErrors(shown, errors());
    shown.dataset.depth = String(modals.length);
    return;
  }
  pruneDrafts(top);
  const focus = focusedElement(shown);
  const node = buildModal(top, modals.length, key, host, errors());
  container.replaceChildren(el("div", { class: "modal-backdrop" }, node));
  restoreFocus(node, focus);
}

function buildModal(view, depth, key, host, errors) {
  const titleId = `modal-title-${view.id}`;
  const body = el("div", { class: "modal-body" });
  const rc = host.rcFor(view, errors);
  body.append(renderBlocks(view.blocks, rc));
  const submitText = view.submit ? plain(view.submit) : null;
  const closeText = view.close ? plain(view.close) : (depth > 1 ? "Back" : "Cancel");
  const submitBtn = submitText ? el("button", { type: "button", class: "bk-btn bk-btn-primary modal-submit",
    "data-testid": "modal-submit" }, submitText) : null;
  const modal = el("div", {
    class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": titleId,
    "data-testid": "modal", "data-view-id": view.id, "data-callback-id": view.callback_id || "",
    "data-depth": String(depth), "data-key": key,
  },
  el("header", { class: "modal-header" },
    depth > 1 ? el("button", { type: "button", class: "modal-icon-btn", "data-testid": "modal-back",
      "aria-label": "Back", onclick: () => host.close(view) }, "←") : null,
    el("div", { class: "modal-app-icon", "aria-hidden": "true" }, "T"),
    el("h2", { id: titleId, class: "modal-title" }, plain(view.title)),
    el("button", { type: "button", class: "modal-icon-btn modal-x", "data-testid": "modal-x",
      "aria-label": "Close", onclick: () => host.closeAll() }, "✕")),
  body,
  el("footer", { class: "modal-footer" },
    el("button", { type: "button", class: "bk-btn modal-close", "data-testid": "modal-close",
      onclick: () => host.close(view) }, closeText),
    submitBtn));
  if (submitBtn) {
    submitBtn.addEventListener("click", async () => {
      if (submitBtn.classList.contains("busy")) return;
      const problems = checkInputs(view, rc);
      if (problems) {
        localErrors.set(key, problems);
        patchErrors(modal, { ...problems });
        return;
      }
      submitBtn.classList.add("busy");
      try {
        const answer = await host.submit(view, draftFor(view));
        localErrors.set(key, (answer && answer.errors) || {});
        if (modal.isConnected) patchErrors(modal, { ...(answer && answer.errors || {}), ...(view.errors || {}) });
      } finally {
        submitBtn.classList.remove("busy");
      }
    });
  }
  return modal;
}

// What Slack checks itself before sending view_submission: required fields, lengths, numbers.
function checkInputs(view, rc) {
  const problems = {};
  for (const block of view.blocks || []) {
    if (block.type !== "input" || !block.element) continue;
    const value = currentValue(block, block.element, rc);
    const e = block.element;
    const id = block.block_id || "";
    if (isEmpty(value)) {
      if (!block.optional && e.type !== "file_input") problems[id] = "Please fill out this field.";
      continue;
    }
    if (typeof value === "string" && e.min_length && value.length < e.min_length) {
      problems[id] = `Please enter at least ${e.min_length} characters.`;
    }
    if (e.type === "number_input") {
      const n = Number(value);
      const pattern = e.is_decimal_allowed ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
      if (!pattern.test(String(value).trim())) problems[id] = e.is_decimal_allowed ? "Please enter a number." : "Please enter a whole number.";
      else if (e.min_value !== undefined && n < Number(e.min_value)) problems[id] = `Please enter a number of at least ${e.min_value}.`;
      else if (e.max_value !== undefined && n > Number(e.max_value)) problems[id] = `Please enter a number no more than ${e.max_value}.`;
    }
  }
  return Object.keys(problems).length ? problems : null;
}

// Errors go under their input block, in red, replacing the previous ones.
function patchErrors(modal, errors) {
  modal.querySelectorAll("[data-testid=input-error]").forEach((n) => n.remove());
  modal.querySelectorAll(".bk-input.has-error").forEach((n) => n.classList.remove("has-error"));
  let first = null;
  for (const [blockId, message] of Object.entries(errors || {})) {
    const block = [...modal.querySelectorAll(".bk-block[data-block-type=input]")].find((b) => b.dataset.blockId === blockId);
    if (!block) continue;
    block.classList.add("has-error");
    const node = el("div", { class: "bk-error", role: "alert", "data-testid": "input-error", "data-block-id": blockId }, message);
    const hint = block.querySelector(":scope > .bk-hint");
    block.insertBefore(node, hint);
    first ||= block;
  }
  if (first) first.scrollIntoView({ block: "nearest" });
}

export function focusedElement(container) {
  const a = document.activeElement;
  if (!container || !a || !container.contains(a)) return null;
  const holder = a.closest("[data-action-id]");
  return holder ? { blockId: holder.dataset.blockId, actionId: holder.dataset.actionId } : null;
}

export function restoreFocus(modal, focus, auto = true) {
  if (focus) {
    const holder = [...modal.querySelectorAll("[data-action-id]")]
      .find((n) => n.dataset.blockId === focus.blockId && n.dataset.actionId === focus.actionId);
    const target = holder && (holder.matches("input,textarea,button") ? holder : holder.querySelector("input,textarea,button"));
    if (target) {
      // Focus comes back to where it was, without popping a select's menu open again.
      target.dataset.quietFocus = "1";
      target.focus();
      delete target.dataset.quietFocus;
      if (typeof target.setSelectionRange === "function" && /^(text|search|url|email|)$/.test(target.type || "")) {
        try { target.setSelectionRange(target.value.length, target.value.length); } catch (_) { /* not a text field */ }
      }
      return;
    }
  }
  const first = auto && modal.querySelector("[autofocus]");
  if (first) first.focus();
}

// Slack's confirmation dialog; resolves true when the person confirms.
export function confirmDialog(confirm, ctx) {
  return new Promise((resolve) => {
    const done = (answer) => { backdrop.remove(); document.removeEventListener("keydown", onKey, true); resolve(answer); };
    const onKey = (e) => { if (e.key === "Escape") { e.stopPropagation(); done(false); } };
    const style = confirm.style === "danger" ? "bk-btn-danger" : "bk-btn-primary";
    const ok = el("button", { type: "button", class: `bk-btn ${style}`, "data-testid": "confirm-ok",
      onclick: () => done(true) }, confirm.confirm ? plain(confirm.confirm) : "Yes");
    const dialog = el("div", { class: "confirm", role: "alertdialog", "aria-modal": "true",
      "data-testid": "confirm-dialog" },
    el("h2", { class: "confirm-title" }, confirm.title ? plain(confirm.title) : "Are you sure?"),
    el("div", { class: "confirm-text" }, textObject(confirm.text || { type: "plain_text", text: "" }, ctx)),
    el("div", { class: "confirm-buttons" },
      el("button", { type: "button", class: "bk-btn", "data-testid": "confirm-deny", onclick: () => done(false) },
        confirm.deny ? plain(confirm.deny) : "Cancel"),
      ok));
    const backdrop = el("div", { class: "confirm-backdrop" }, dialog);
    document.body.append(backdrop);
    document.addEventListener("keydown", onKey, true);
    ok.focus();
  });
}
