// What a person has typed or chosen in a view but not submitted yet, kept across polls.
// Keyed by view id, then block_id + action_id, as Slack keeps view state. Each entry
// remembers the element's initial value when it was made: when the app updates the view
// with a different initial value (or a new block_id) Slack resets the input, so do we.

const store = new Map(); // view id -> Map("block\u0000action" -> {value, initial, input})

const INITIAL_KEYS = ["initial_value", "initial_option", "initial_options", "initial_date",
  "initial_time", "initial_date_time", "initial_user", "initial_users", "initial_conversation",
  "initial_conversations", "initial_channel", "initial_channels"];

export function initialOf(element) {
  const picked = {};
  for (const k of INITIAL_KEYS) if (k in element) picked[k] = element[k];
  return JSON.stringify([element.type, picked]);
}

const key = (blockId, actionId) => `${blockId}\u0000${actionId}`;

export function getDraft(viewId, blockId, actionId, element) {
  const entries = store.get(viewId);
  const entry = entries && entries.get(key(blockId, actionId));
  if (!entry) return undefined;
  if (entry.initial !== initialOf(element)) {
    entries.delete(key(blockId, actionId));
    return undefined;
  }
  return entry.value;
}

export function setDraft(viewId, blockId, actionId, element, value, isInput) {
  if (!viewId) return;
  if (!store.has(viewId)) store.set(viewId, new Map());
  store.get(viewId).set(key(blockId, actionId), { value, initial: initialOf(element), input: isInput });
}

// Forget entries whose block or element left the view, or whose initial value changed.
export function pruneDrafts(view) {
  const entries = store.get(view.id);
  if (!entries) return;
  const present = new Map();
  for (const block of view.blocks || []) {
    for (const element of elementsOf(block)) {
      present.set(key(block.block_id || "", element.action_id || ""), element);
    }
  }
  for (const [k, entry] of entries) {
    const element = present.get(k);
    if (!element || entry.initial !== initialOf(element)) entries.delete(k);
  }
}

// Views no longer on screen (closed modals, an old App Home) lose their drafts.
export function dropOtherViews(liveIds) {
  for (const id of [...store.keys()]) if (!liveIds.has(id)) store.delete(id);
}

// DRAFT for the server: only elements of input blocks (the server rejects other blocks
// on submit; it already knows about elements outside inputs from their actions).
export function draftFor(view) {
  const entries = store.get(view.id);
  const out = {};
  if (!entries) return out;
  const inputs = new Set((view.blocks || []).filter((b) => b.type === "input").map((b) => b.block_id || ""));
  for (const [k, entry] of entries) {
    const [blockId, actionId] = k.split("\u0000");
    if (!entry.input || !inputs.has(blockId)) continue;
    (out[blockId] ||= {})[actionId] = entry.value;
  }
  return out;
}

export function elementsOf(block) {
  if (!block) return [];
  if (block.type === "input" && block.element) return [block.element];
  if (block.type === "actions") return block.elements || [];
  if (block.type === "section" && block.accessory) return [block.accessory];
  return [];
}
