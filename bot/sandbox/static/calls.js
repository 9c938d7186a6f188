// The "API calls" panel: every Web API call the bot made (GET /api/calls?since=N),
// newest first, with Slack-limit problems flagged in red. Polled even while closed so
// the sidebar's problem badge stays current.
import { el } from "./mrkdwn.js";
import { api } from "./api.js";
import { partsIn, clockTime } from "./dates.js";

const MAX_SHOWN = 500; // older rows leave the DOM; the count still covers them

export function buildCalls(root, app) {
  let next = 0;
  let total = 0;
  let problems = 0;
  let open = false;
  let busy = false;
  const list = el("ol", { class: "calls-list", reversed: true });
  const onlyProblems = el("input", { type: "checkbox", id: "calls-only-problems" });
  onlyProblems.addEventListener("change", () => root.classList.toggle("only-problems", onlyProblems.checked));
  root.append(
    el("div", { class: "calls-header" },
      el("h2", {}, "Web API calls"),
      el("label", { for: "calls-only-problems", class: "calls-filter" }, onlyProblems, " problems only"),
      el("button", { type: "button", class: "modal-icon-btn", "aria-label": "Close API calls",
        onclick: () => app.toggleCalls(false) }, "✕")),
    list);

  function row(call) {
    const bad = call.problems && call.problems.length;
    const at = call.at ? new Date(call.at) : null;
    const when = at && !isNaN(at) ? clockTime(partsIn(at, app.tz()), true) : (call.at || "");
    let args = "";
    try { args = JSON.stringify(call.args ?? {}, null, 2); } catch (_) { args = String(call.args); }
    return el("li", {
      class: "call" + (bad ? " has-problems" : "") + (call.ok === false ? " failed" : ""),
      "data-testid": "call", "data-method": call.method, "data-seq": call.seq, "data-problems": String(bad || 0),
    },
    el("div", { class: "call-head" },
      el("span", { class: "call-method" }, call.method),
      el("span", { class: "call-time" }, when),
      call.ok === false ? el("span", { class: "call-error" }, call.error || "error") : el("span", { class: "call-ok" }, "ok"),
      bad ? el("span", { class: "badge" }, String(bad)) : null),
    bad ? el("ul", { class: "call-problems", "data-testid": "call-problems" }, call.problems.map((p) => el("li", {}, p))) : null,
    el("details", { class: "call-args" }, el("summary", {}, "args"), el("pre", {}, args)));
  }

  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const answer = await api.calls(next);
      const calls = answer.calls || [];
      for (const call of calls) {
        total += 1;
        if (call.problems && call.problems.length) problems += 1;
        list.prepend(row(call));
      }
      while (list.children.length > MAX_SHOWN) list.lastChild.remove();
      if (typeof answer.next === "number") next = answer.next;
      else if (calls.length) next = Math.max(...calls.map((c) => c.seq)) + 1;
      app.callsChanged(open, total, problems);
    } catch (_) {
      // the state poll already reports a server that is down
    } finally {
      busy = false;
    }
  }

  return {
    poll,
    toggle(force) {
      open = force === undefined ? !open : force;
      root.hidden = !open;
      app.callsChanged(open, total, problems);
      if (open) poll();
    },
  };
}
