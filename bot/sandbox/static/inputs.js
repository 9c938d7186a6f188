// Block Kit input elements: text, number, url, email, dates, times, checkboxes, radio
// buttons and every kind of select. Each takes the element, its current VALUE (the
// person's draft, else the element's initial value) and reports a new VALUE through
// `emit(value, {dispatch})`; dispatch marks moments Slack would send block_actions for
// dispatch_action inputs (Enter in a text input, a choice in a select).
import { el, plain, textObject } from "./mrkdwn.js";
import { combobox, localLoader } from "./select.js";

let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

// VALUE of an element as the app set it up (initial_*), in PROTOCOL.md's encodings.
export function initialValue(element, ctx) {
  const t = element.type;
  switch (t) {
    case "plain_text_input": case "url_text_input": case "email_text_input": case "number_input":
      return element.initial_value ?? null;
    case "datepicker": return element.initial_date ?? null;
    case "timepicker": return element.initial_time ?? null;
    case "datetimepicker": return element.initial_date_time ?? null;
    case "static_select": case "radio_buttons":
      return element.initial_option ? element.initial_option.value : null;
    case "external_select": return element.initial_option || null;
    case "multi_static_select": case "checkboxes":
      return (element.initial_options || []).map((o) => o.value);
    case "multi_external_select": return element.initial_options || [];
    case "users_select": return element.initial_user ?? null;
    case "multi_users_select": return element.initial_users || [];
    case "conversations_select":
      return element.initial_conversation ?? (element.default_to_current_conversation ? ctx.conversationId || null : null);
    case "multi_conversations_select":
      return element.initial_conversations || (element.default_to_current_conversation && ctx.conversationId ? [ctx.conversationId] : []);
    case "channels_select": return element.initial_channel ?? null;
    case "multi_channels_select": return element.initial_channels || [];
    default: return null;
  }
}

// Is a VALUE empty (for "required" checks before a submission)?
export function isEmpty(value) {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
}

function textInput(element, value, emit, label) {
  const multi = element.type === "plain_text_input" && element.multiline;
  const attrs = {
    class: "bk-text" + (multi ? " bk-textarea" : ""), "aria-label": label,
    placeholder: element.placeholder ? plain(element.placeholder) : null,
    maxlength: element.max_length, minlength: element.min_length,
    type: multi ? null : ({ url_text_input: "url", email_text_input: "email" }[element.type] || "text"),
    inputmode: element.type === "number_input" ? (element.is_decimal_allowed ? "decimal" : "numeric") : null,
    "data-min": element.min_value, "data-max": element.max_value,
  };
  const node = el(multi ? "textarea" : "input", attrs);
  node.value = value ?? "";
  if (element.focus_on_load) node.setAttribute("autofocus", "");
  const triggers = (element.dispatch_action_config && element.dispatch_action_config.trigger_actions_on) || ["on_enter_pressed"];
  let timer = null;
  node.addEventListener("input", () => {
    emit(node.value, { dispatch: false });
    if (triggers.includes("on_character_entered")) {
      clearTimeout(timer);
      timer = setTimeout(() => emit(node.value, { dispatch: true }), 400);
    }
  });
  node.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !multi && triggers.includes("on_enter_pressed")) {
      e.preventDefault(); // Enter in a modal's text field dispatches, it does not submit
      emit(node.value, { dispatch: true });
    }
  });
  return node;
}

function choiceList(element, value, emit, ctx, kind) {
  const isRadio = kind === "radio";
  const name = nextId(kind);
  const chosen = new Set(isRadio ? (value === null ? [] : [value]) : value || []);
  const box = el("div", { class: `bk-choices bk-${kind}`, role: isRadio ? "radiogroup" : "group" });
  for (const option of element.options || []) {
    const id = nextId("choice");
    const input = el("input", { type: isRadio ? "radio" : "checkbox", id, name, value: option.value,
      "data-value": option.value });
    input.checked = chosen.has(option.value);
    input.addEventListener("change", () => {
      if (isRadio) emit(option.value, { dispatch: true });
      else {
        const now = [...box.querySelectorAll("input:checked")].map((i) => i.value);
        emit(now, { dispatch: true });
      }
    });
    box.append(el("div", { class: "bk-choice" }, input,
      el("label", { for: id }, el("span", { class: "bk-choice-text" }, textObject(option.text, ctx)),
        option.description ? el("span", { class: "bk-choice-desc" }, textObject(option.description, ctx)) : null)));
  }
  return box;
}

function groupsOf(element) {
  if (element.option_groups) {
    return element.option_groups.map((g) => ({ label: plain(g.label), options: g.options || [] }));
  }
  return [{ label: null, options: element.options || [] }];
}

function person(ctx, id) {
  const p = ctx.people.get(id);
  return { text: { type: "plain_text", text: p ? (p.real_name || p.name) : id }, value: id };
}

function conversation(ctx, id) {
  const c = ctx.channels.get(id);
  const name = c ? `# ${c.name}` : (ctx.dmId === id ? "Trainbot (DM)" : id);
  return { text: { type: "plain_text", text: name }, value: id };
}

function selectWidget(element, value, emit, ctx, label, hooks) {
  const t = element.type;
  const multi = t.startsWith("multi_");
  const base = t.replace(/^multi_/, "");
  const list = multi ? (value || []) : (value === null || value === undefined ? [] : [value]);
  let selected, load, remote = false, encode;
  if (base === "static_select") {
    const all = groupsOf(element).flatMap((g) => g.options);
    selected = list.map((v) => all.find((o) => o.value === v) || { text: { type: "plain_text", text: String(v) }, value: v });
    load = localLoader(groupsOf(element));
    encode = (o) => o.value;
  } else if (base === "external_select") {
    selected = list.filter((o) => o && typeof o === "object");
    remote = true;
    load = (query) => hooks.suggest(element, query).then((answer) => {
      const groups = (answer.option_groups || []).map((g) => ({ label: plain(g.label), options: g.options || [] }));
      return answer.options && answer.options.length ? [{ label: null, options: answer.options }, ...groups] : groups;
    });
    encode = (o) => ({ text: o.text, value: o.value });
  } else if (base === "users_select") {
    selected = list.map((id) => person(ctx, id));
    load = localLoader([{ label: null, options: [...ctx.people.keys()].map((id) => person(ctx, id)) }]);
    encode = (o) => o.value;
  } else {
    // conversations_select / channels_select: the channels the person can see
    const ids = [...ctx.channels.keys()];
    const filter = element.filter || {};
    if (base === "conversations_select" && ctx.dmId && (!filter.include || filter.include.includes("im"))) ids.push(ctx.dmId);
    selected = list.map((id) => conversation(ctx, id));
    load = localLoader([{ label: null, options: ids.map((id) => conversation(ctx, id)) }]);
    encode = (o) => o.value;
  }
  return combobox({
    multi, label, remote, load, selected, minQuery: element.min_query_length ?? 3,
    placeholder: element.placeholder ? plain(element.placeholder) : (multi ? "Select options" : "Select an item"),
    onChange: (picked) => emit(multi ? picked.map(encode) : (picked[0] ? encode(picked[0]) : null), { dispatch: true }),
  });
}

// Renders one input-capable element; null when the type is not one of ours.
export function inputElement(element, value, emit, ctx, label, hooks) {
  const t = element.type || "";
  if (["plain_text_input", "url_text_input", "email_text_input", "number_input"].includes(t)) {
    return textInput(element, value, emit, label);
  }
  if (t === "datepicker" || t === "timepicker" || t === "datetimepicker") {
    const type = { datepicker: "date", timepicker: "time", datetimepicker: "datetime-local" }[t];
    const node = el("input", { type, class: "bk-text bk-date", "aria-label": label });
    if (t === "datetimepicker") {
      // epoch seconds <-> the browser's local time; good enough for a sandbox
      if (value) node.value = new Date(value * 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
      node.addEventListener("change", () => emit(node.value ? Math.floor(new Date(node.value).getTime() / 1000) : null, { dispatch: true }));
    } else {
      node.value = value || "";
      node.addEventListener("change", () => emit(node.value || null, { dispatch: true }));
    }
    return node;
  }
  if (t === "checkboxes") return choiceList(element, value, emit, ctx, "checkboxes");
  if (t === "radio_buttons") return choiceList(element, value, emit, ctx, "radio");
  if (/select$/.test(t)) return selectWidget(element, value, emit, ctx, label, hooks);
  if (t === "file_input") return fileWidget(element, value, emit, hooks);
  return null;
}

// file_input: a chosen file goes to the sandbox at once (Slack too uploads it while the
// modal is open); the VALUE is the list of their ids, and the submission carries the files.
const uploadedNames = new Map(); // file id -> name, for drafts drawn again
function fileWidget(element, value, emit, hooks) {
  const max = element.max_files || 10;
  const accept = (element.filetypes || []).map((type) => `.${type}`).join(",");
  const picker = el("input", { type: "file", class: "bk-file-picker", ...(accept ? { accept } : {}) });
  picker.multiple = max > 1;
  const list = el("ul", { class: "bk-file-list", "data-testid": "uploaded-files" });
  const status = el("div", { class: "bk-file-status", role: "status" });
  const show = (ids) => list.replaceChildren(...ids.map((id) =>
    el("li", { "data-file-id": id }, `📎 ${uploadedNames.get(id) || id}`)));
  show(Array.isArray(value) ? value : []);
  picker.addEventListener("change", async () => {
    const chosen = [...picker.files].slice(0, max);
    if (!chosen.length) return;
    status.textContent = "Uploading…";
    try {
      const ids = [];
      for (const file of chosen) {
        const uploaded = await hooks.upload(file);
        uploadedNames.set(uploaded.id, uploaded.name);
        ids.push(uploaded.id);
      }
      show(ids);
      status.textContent = "";
      emit(ids, { dispatch: false });
    } catch (err) {
      status.textContent = `Upload failed: ${err.message}`;
    }
  });
  return el("div", { class: "bk-file-input" }, picker, list, status);
}
