// The aubergine sidebar: workspace, "You are" switch, channels, the Trainbot app (Home /
// Messages), the sandbox clock with time travel, and the API calls toggle. Built once;
// update() only touches what changed so the select and the date field keep their focus.
import { el } from "./mrkdwn.js";
import { clockLabel, localInputValue } from "./dates.js";

// How a time travel's answer names what its sweeps sent ("sent" in PROTOCOL.md).
const TRAVEL_LABELS = {
  reminder: ["reminder", "reminders"],
  digest: ["digest", "digests"],
  enrollment: ["path step opened", "path steps opened"],
};

export function buildSidebar(root, app) {
  const wsName = el("span", { class: "ws-name", "data-testid": "workspace-name" }, "Workspace");
  const userSelect = el("select", { id: "user-switch", class: "user-switch", "data-testid": "user-switch" });
  const adminBadge = el("span", { class: "admin-badge", "data-testid": "admin-badge", hidden: true }, "Admin");
  const youTitle = el("div", { class: "you-title" });
  userSelect.addEventListener("change", () => app.switchUser(userSelect.value));
  const channels = el("ul", { class: "nav-list", "aria-label": "Channels" });
  const appHome = navButton("nav-home", "Home", () => app.go({ kind: "app", tab: "home" }));
  const appMessages = navButton("nav-messages", "Messages", () => app.go({ kind: "app", tab: "messages" }));
  const clock = el("div", { class: "clock-now", "data-testid": "clock" }, "…");
  const travelZone = el("span", { class: "travel-zone" });
  const travelInput = el("input", { type: "datetime-local", id: "travel-to", class: "travel-input", step: "60" });
  const travelGo = el("button", { type: "submit", class: "side-btn" }, "Go");
  const travelResult = el("div", { class: "travel-result", "data-testid": "time-travel-result", role: "status" });
  const travel = el("form", { class: "travel", "data-testid": "time-travel" },
    el("label", { for: "travel-to", class: "side-label" }, "Time travel to ", travelZone),
    el("div", { class: "travel-row" }, travelInput, travelGo), travelResult);
  // The last travel's answer, redrawn in the viewer's zone when "You are" changes.
  let travelled = null;
  const showTravelled = () => {
    if (!travelled) return;
    const when = travelled.now ? clockLabel(new Date(travelled.now), app.tz()) : "moved";
    travelResult.textContent = `Now ${when}. ` + travelled.sent;
  };
  travel.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!travelInput.value) return;
    travelGo.disabled = true;
    travelResult.className = "travel-result";
    travelResult.textContent = "Travelling…";
    try {
      const answer = await app.travel(travelInput.value);
      const sent = Object.entries(answer.sent || {}).filter(([, n]) => n)
        .map(([kind, n]) => `${n} ${TRAVEL_LABELS[kind] ? TRAVEL_LABELS[kind][n === 1 ? 0 : 1] : kind + (n === 1 ? "" : "s")}`);
      travelled = { now: answer.now, sent: sent.length ? `Sent ${sent.join(", ")}.` : "Nothing was due." };
      showTravelled();
    } catch (err) {
      travelled = null;
      travelResult.className = "travel-result error";
      travelResult.textContent = err.message;
    } finally {
      travelGo.disabled = false;
    }
  });
  const callsBadge = el("span", { class: "badge", "data-testid": "calls-problems", hidden: true }, "0");
  const callsCount = el("span", { class: "calls-count" }, "");
  const callsToggle = el("button", { type: "button", class: "nav-item calls-toggle", "data-testid": "calls-toggle",
    "aria-pressed": "false", onclick: () => app.toggleCalls() }, "⚙ API calls ", callsCount, callsBadge);

  root.append(
    el("div", { class: "ws-header" }, wsName, el("span", { class: "ws-sub" }, "Trainbot sandbox")),
    el("div", { class: "you" },
      el("label", { for: "user-switch", class: "side-label" }, "You are"),
      userSelect, el("div", { class: "you-row" }, youTitle, adminBadge)),
    el("nav", { class: "side-nav", "aria-label": "Conversations" },
      el("div", { class: "nav-section" }, "Channels"), channels,
      el("div", { class: "nav-section" }, "Apps"),
      el("div", { class: "nav-app" }, el("span", { class: "avatar avatar-bot avatar-sm", "aria-hidden": "true" }, "T"), "Trainbot"),
      el("ul", { class: "nav-list nav-sub" }, el("li", {}, appHome), el("li", {}, appMessages))),
    el("div", { class: "side-bottom" },
      el("div", { class: "side-label" }, "Sandbox clock"), clock, travel, callsToggle));

  let lastPeople = "";
  let lastChannels = "";
  let lastTz = null;
  return {
    update(state, nav) {
      wsName.textContent = (state.team && state.team.name) || "Workspace";
      const peopleKey = JSON.stringify(state.people);
      if (peopleKey !== lastPeople) {
        lastPeople = peopleKey;
        userSelect.replaceChildren(...(state.people || []).map((p) =>
          el("option", { value: p.id }, `${p.real_name || p.name}${p.is_admin ? " (admin)" : ""}`)));
      }
      if (document.activeElement !== userSelect) userSelect.value = state.user;
      const me = (state.people || []).find((p) => p.id === state.user);
      adminBadge.hidden = !(me && me.is_admin);
      youTitle.textContent = me ? (me.title || `@${me.name}`) : "";
      const chKey = JSON.stringify([state.channels, nav]);
      if (chKey !== lastChannels) {
        lastChannels = chKey;
        channels.replaceChildren(...(state.channels || []).map((c) => {
          const b = navButton("nav-channel", `# ${c.name}`, () => app.go({ kind: "channel", id: c.id }));
          b.dataset.channelId = c.id;
          b.classList.toggle("active", nav.kind === "channel" && nav.id === c.id);
          return el("li", {}, b);
        }));
      }
      appHome.classList.toggle("active", nav.kind === "app" && nav.tab === "home");
      appMessages.classList.toggle("active", nav.kind === "app" && nav.tab === "messages");
      const now = new Date(state.now || Date.now());
      clock.textContent = clockLabel(now, app.tz());
      clock.title = `${state.now} (${app.tz()})`;
      const tz = app.tz();
      const floor = localInputValue(now, tz);
      travelInput.min = floor;
      // A new viewer may live in another zone: the field shows their wall time.
      if (tz !== lastTz || !travelInput.value || (document.activeElement !== travelInput && travelInput.value < floor)) {
        travelInput.value = floor;
      }
      if (tz !== lastTz) showTravelled();
      lastTz = tz;
      travelZone.textContent = tz;
    },
    callsState(open, total, problems) {
      callsToggle.setAttribute("aria-pressed", open ? "true" : "false");
      callsToggle.classList.toggle("active", open);
      callsCount.textContent = total ? `(${total})` : "";
      callsBadge.hidden = !problems;
      callsBadge.textContent = String(problems);
      callsBadge.title = `${problems} call${problems === 1 ? "" : "s"} with payload problems`;
    },
  };
}

function navButton(testid, label, onclick) {
  return el("button", { type: "button", class: "nav-item", "data-testid": testid, onclick }, label);
}
