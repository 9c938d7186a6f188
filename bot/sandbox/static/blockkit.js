// Block Kit -> DOM. One renderer for messages, App Home and modals; what differs is the
// render context `rc`:
//   rc.ctx      people/channels/usergroups maps, viewer tz, sandbox now (for mrkdwn)
//   rc.viewId   the view the blocks belong to (null for a message): drafts live there
//   rc.errors   {block_id: message} to show under input blocks
//   rc.act(block, element, value) -> Promise   sends block_actions (POST /api/action)
//   rc.suggest(block, element, query) -> Promise<{options, option_groups}>
//   rc.confirm(confirmObject) -> Promise<boolean>   Slack's confirmation dialog
// Every block and element carries data-block-id / data-action-id / data-type for tests.
import { el, plain, textObject } from "./mrkdwn.js";
import { getDraft, setDraft } from "./drafts.js";
import { initialValue, inputElement } from "./inputs.js";
import { richText } from "./richtext.js";

export function renderBlocks(blocks, rc) {
  const frag = document.createDocumentFragment();
  for (const block of blocks || []) {
    let node;
    try {
      node = renderBlock(block || {}, rc);
    } catch (err) {
      // A malformed block must not take the rest of the surface down with it.
      console.error("block failed to render", block, err);
      node = el("div", { class: "bk-unsupported" }, `could not render block: ${block && block.type} (${err.message})`);
    }
    frag.append(node);
  }
  return frag;
}

function blockRoot(block, extra = "") {
  return el("div", {
    class: `bk-block bk-${block.type}${extra}`, "data-block-type": block.type,
    "data-block-id": block.block_id || "",
  });
}

function renderBlock(block, rc) {
  switch (block.type) {
    case "section": return section(block, rc);
    case "header": {
      const root = blockRoot(block);
      root.append(el("h3", { class: "bk-header-text" }, plain(block.text)));
      return root;
    }
    case "context": return context(block, rc);
    case "divider": { const root = blockRoot(block); root.append(el("hr")); return root; }
    case "image": return imageBlock(block);
    case "actions": {
      const root = blockRoot(block);
      for (const element of block.elements || []) root.append(renderElement(block, element, rc));
      return root;
    }
    case "input": return input(block, rc);
    case "rich_text": { const root = blockRoot(block); root.append(richText(block, rc.ctx)); return root; }
    case "video": {
      const root = blockRoot(block);
      root.append(el("div", { class: "bk-video" }, "▶ ",
        el("a", { href: block.title_url || block.video_url, target: "_blank", rel: "noopener" }, plain(block.title))));
      return root;
    }
    case "file": {
      const root = blockRoot(block);
      root.append(el("a", { class: "bk-file", href: `/files/${encodeURIComponent(block.file_id || "")}`,
        target: "_blank" }, `📄 File ${block.file_id || ""}`));
      return root;
    }
    default: {
      const root = blockRoot(block, " bk-unsupported");
      root.textContent = `unsupported block: ${block.type}`;
      return root;
    }
  }
}

function section(block, rc) {
  const root = blockRoot(block);
  const main = el("div", { class: "bk-section-main" });
  if (block.text) main.append(el("div", { class: "bk-section-text" }, textObject(block.text, rc.ctx)));
  if (block.fields && block.fields.length) {
    main.append(el("div", { class: "bk-fields" },
      block.fields.map((f) => el("div", { class: "bk-field" }, textObject(f, rc.ctx)))));
  }
  root.append(main);
  if (block.accessory) {
    root.append(el("div", { class: "bk-accessory" }, block.accessory.type === "image"
      ? image(block.accessory, "bk-accessory-image")
      : renderElement(block, block.accessory, rc)));
  }
  return root;
}

function context(block, rc) {
  const root = blockRoot(block);
  for (const item of block.elements || []) {
    if (item.type === "image") root.append(image(item, "bk-context-image"));
    else root.append(el("span", { class: "bk-context-text" }, textObject(item, rc.ctx)));
  }
  return root;
}

// image_url, or slack_file by id or by url -> the stand-in's /files/<id>.
export function imageSrc(obj) {
  if (obj.image_url) return obj.image_url;
  const f = obj.slack_file || {};
  if (f.id) return `/files/${encodeURIComponent(f.id)}`;
  const m = /\/(F[A-Z0-9]{6,})(?:[/-]|$)/.exec(f.url || "");
  return m ? `/files/${m[1]}` : f.url || "";
}

function image(obj, cls) {
  const img = el("img", { class: cls, src: imageSrc(obj), alt: obj.alt_text || "", loading: "lazy" });
  // Offline, outside images cannot load: show the alt text in a grey box instead.
  img.addEventListener("error", () => img.replaceWith(el("span", { class: `${cls} bk-image-missing`,
    title: obj.alt_text || "" }, obj.alt_text || "image")));
  return img;
}

function imageBlock(block) {
  const root = blockRoot(block);
  if (block.title) root.append(el("div", { class: "bk-image-title" }, plain(block.title)));
  root.append(image(block, "bk-img"));
  return root;
}

function input(block, rc) {
  const error = rc.errors && rc.errors[block.block_id || ""];
  const root = blockRoot(block, error ? " has-error" : "");
  const element = block.element || {};
  const labelText = plain(block.label);
  const labelNode = el("label", { class: "bk-label" }, labelText,
    block.optional ? el("span", { class: "bk-optional" }, " (optional)") : null);
  root.append(labelNode);
  const control = renderElement(block, element, rc, labelText);
  // The label names the text field or select; a group of checkboxes or radios is named
  // by it through aria-labelledby (each choice has its own <label>).
  const focusable = control.matches("input,textarea") ? control : control.querySelector("input,textarea");
  const labelId = `label-${Math.random().toString(36).slice(2)}`;
  labelNode.id = labelId;
  if (control.matches(".bk-choices")) control.setAttribute("aria-labelledby", labelId);
  else if (focusable) {
    focusable.id ||= `in-${labelId}`;
    labelNode.htmlFor = focusable.id;
  }
  root.append(control);
  if (error) {
    root.append(el("div", { class: "bk-error", role: "alert", "data-testid": "input-error",
      "data-block-id": block.block_id || "" }, error));
  }
  if (block.hint) root.append(el("div", { class: "bk-hint" }, plain(block.hint)));
  return root;
}

// The person's draft for an element of a view, else its initial value.
export function currentValue(block, element, rc) {
  if (rc.viewId) {
    const d = getDraft(rc.viewId, block.block_id || "", element.action_id || "", element);
    if (d !== undefined) return d;
  }
  return initialValue(element, rc.ctx);
}

async function fire(block, element, value, rc) {
  if (element.confirm && !(await rc.confirm(element.confirm))) return;
  return rc.act(block, element, value);
}

function button(block, element, rc) {
  const style = element.style === "primary" || element.style === "danger" ? ` bk-btn-${element.style}` : "";
  const node = el("button", { type: "button", class: `bk-btn${style}`, "data-value": element.value,
    "aria-label": element.accessibility_label }, plain(element.text));
  node.addEventListener("click", async () => {
    // A link button opens the page at once (like Slack) and still tells the app.
    if (element.url) window.open(element.url, "_blank", "noopener");
    node.classList.add("busy");
    try { await fire(block, element, element.value ?? null, rc); } finally { node.classList.remove("busy"); }
  });
  return node;
}

let openOverflow = null;

function overflow(block, element, rc) {
  const wrap = el("span", { class: "bk-overflow-wrap" });
  const btn = el("button", { type: "button", class: "bk-btn bk-overflow", "aria-haspopup": "menu",
    "aria-label": "More actions" }, "⋯");
  const close = () => { if (openOverflow) { openOverflow.remove(); openOverflow = null; } };
  btn.addEventListener("click", (e) => {
    e.stopPropagation();
    const wasMine = openOverflow && openOverflow.dataset.owner === btn.dataset.owner;
    close();
    if (wasMine) return;
    const menu = el("ul", { class: "bk-menu bk-overflow-menu", role: "menu", "data-testid": "overflow-menu",
      "data-action-id": element.action_id || "", "data-block-id": block.block_id || "" });
    for (const option of element.options || []) {
      menu.append(el("li", { class: "bk-option", role: "menuitem", tabindex: "0", "data-value": option.value,
        onclick: () => {
          close();
          if (option.url) window.open(option.url, "_blank", "noopener");
          fire(block, element, option.value, rc);
        },
        onkeydown: (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); ev.target.click(); } },
      }, plain(option.text)));
    }
    btn.dataset.owner = btn.dataset.owner || Math.random().toString(36).slice(2);
    menu.dataset.owner = btn.dataset.owner;
    const r = btn.getBoundingClientRect();
    menu.style.left = `${Math.max(8, r.right - 220)}px`;
    menu.style.width = "220px";
    document.body.append(menu);
    // Below the ⋯ like Slack, or above it when the window has no room left underneath
    // (an item low in a modal or a long DM).
    const height = menu.offsetHeight;
    const above = r.bottom + 4 + height > window.innerHeight && r.top - 4 - height >= 0;
    menu.style.top = `${above ? r.top - 4 - height : r.bottom + 4}px`;
    openOverflow = menu;
    const first = menu.querySelector("[role=menuitem]");
    if (first) first.focus();
  });
  wrap.append(btn);
  return wrap;
}

document.addEventListener("click", (e) => {
  if (openOverflow && !openOverflow.contains(e.target)) { openOverflow.remove(); openOverflow = null; }
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && openOverflow) {
    e.preventDefault(); // this Escape was for the menu, not for the modal under it
    openOverflow.remove();
    openOverflow = null;
  }
});

export function renderElement(block, element, rc, label) {
  const blockId = block.block_id || "";
  const actionId = element.action_id || "";
  let node;
  if (element.type === "button") node = button(block, element, rc);
  else if (element.type === "overflow") node = overflow(block, element, rc);
  else if (element.type === "image") node = image(element, "bk-accessory-image");
  else {
    const isInput = block.type === "input";
    const emit = (value, { dispatch }) => {
      if (rc.viewId) setDraft(rc.viewId, blockId, actionId, element, value, isInput);
      // Inside an input block Slack sends nothing unless the block dispatches actions.
      if (isInput && !block.dispatch_action) return;
      if (dispatch) fire(block, element, value, rc);
    };
    const hooks = { suggest: (el_, query) => rc.suggest(block, el_, query), upload: (file) => rc.upload(file) };
    node = inputElement(element, currentValue(block, element, rc), emit, rc.ctx,
      label || (element.placeholder ? plain(element.placeholder) : element.type), hooks);
    if (!node) node = el("span", { class: "bk-unsupported" }, `unsupported element: ${element.type}`);
  }
  node.classList.add("bk-element");
  node.dataset.blockId = blockId;
  node.dataset.actionId = actionId;
  node.dataset.type = element.type || "";
  return node;
}
