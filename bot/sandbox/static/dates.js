// Dates and times in the viewer's timezone, as Slack shows them (en-US, 12-hour clock).
// "Today" is measured against the sandbox clock, not the machine's, because time travel
// moves the sandbox forward.

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function safeZone(tz) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz || "UTC" });
    return tz || "UTC";
  } catch (_) {
    return "UTC"; // an unknown zone name must not break rendering
  }
}

// Calendar parts of an instant in a zone: {y, m (1-12), d, wd (0-6), H, M, S}.
export function partsIn(date, tz) {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: safeZone(tz), year: "numeric", month: "numeric", day: "numeric",
    weekday: "short", hour: "numeric", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  const out = {};
  for (const p of fmt.formatToParts(date)) out[p.type] = p.value;
  return {
    y: +out.year, m: +out.month, d: +out.day,
    wd: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(out.weekday),
    H: +out.hour % 24, M: +out.minute, S: +out.second,
  };
}

function ordinal(n) {
  const rem = n % 100;
  if (rem >= 11 && rem <= 13) return n + "th";
  return n + ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
}

function pad(n) { return String(n).padStart(2, "0"); }

export function clockTime(p, secs = false) {
  const h12 = p.H % 12 === 0 ? 12 : p.H % 12;
  return `${h12}:${pad(p.M)}${secs ? ":" + pad(p.S) : ""} ${p.H < 12 ? "AM" : "PM"}`;
}

// Days between two calendar dates (only the y/m/d matter).
function dayDiff(a, b) {
  return Math.round((Date.UTC(a.y, a.m - 1, a.d) - Date.UTC(b.y, b.m - 1, b.d)) / 86400000);
}

function relativeDay(p, nowP) {
  return { 0: "today", [-1]: "yesterday", 1: "tomorrow" }[dayDiff(p, nowP)] || null;
}

function ago(date, now) {
  const secs = Math.round((now.getTime() - date.getTime()) / 1000);
  const abs = Math.abs(secs);
  const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600],
    ["minute", 60]];
  let phrase = "a few seconds";
  for (const [name, size] of units) {
    const n = Math.floor(abs / size);
    if (n >= 1) { phrase = `${n} ${name}${n === 1 ? "" : "s"}`; break; }
  }
  return secs >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

// Formats Slack's <!date^ts^format> tokens; unknown tokens are left as they are.
export function formatSlackDate(epoch, format, tz, now) {
  const date = new Date(epoch * 1000);
  if (isNaN(date.getTime())) return null;
  const p = partsIn(date, tz);
  const nowP = partsIn(now, tz);
  const base = {
    date_num: `${p.y}-${pad(p.m)}-${pad(p.d)}`,
    date: `${MONTHS[p.m - 1]} ${ordinal(p.d)}, ${p.y}`,
    date_short: `${MONTHS[p.m - 1].slice(0, 3)} ${p.d}, ${p.y}`,
    date_long: `${DAYS[p.wd]}, ${MONTHS[p.m - 1]} ${ordinal(p.d)}, ${p.y}`,
    time: clockTime(p),
    time_secs: clockTime(p, true),
    ago: ago(date, now),
  };
  const rel = relativeDay(p, nowP);
  base.date_pretty = rel || base.date;
  base.date_short_pretty = rel || base.date_short;
  base.date_long_pretty = rel || base.date_long;
  let text = format.replace(/\{([a-z_]+)\}/g, (whole, name) => (name in base ? base[name] : whole));
  // Slack capitalises a relative day that starts the text ("Today at 9:00 AM").
  if (rel && text.startsWith(rel)) text = rel[0].toUpperCase() + text.slice(1);
  return text;
}

// Message timestamps: "9:05 AM"; day separators: "Today", "Yesterday", "Wednesday, December 2nd".
export function messageTime(epoch, tz) {
  return clockTime(partsIn(new Date(epoch * 1000), tz));
}

export function dayLabel(epoch, tz, now) {
  const p = partsIn(new Date(epoch * 1000), tz);
  const nowP = partsIn(now, tz);
  const rel = relativeDay(p, nowP);
  if (rel) return rel[0].toUpperCase() + rel.slice(1);
  const label = `${DAYS[p.wd]}, ${MONTHS[p.m - 1]} ${ordinal(p.d)}`;
  return p.y === nowP.y ? label : `${label}, ${p.y}`;
}

export function dayKey(epoch, tz) {
  const p = partsIn(new Date(epoch * 1000), tz);
  return `${p.y}-${p.m}-${p.d}`;
}

// The sandbox clock for the sidebar: "Wed, Dec 2, 9:00 AM (Europe/Berlin)".
export function clockLabel(now, tz) {
  const p = partsIn(now, tz);
  return `${DAYS[p.wd].slice(0, 3)}, ${MONTHS[p.m - 1].slice(0, 3)} ${p.d} ${p.y}, ${clockTime(p)}`;
}

// Value for <input type=datetime-local> of an instant in a zone ("2026-12-02T09:00").
export function localInputValue(now, tz) {
  const p = partsIn(now, tz);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}T${pad(p.H)}:${pad(p.M)}`;
}

// "2026-12-07T09:00" read as wall time in `tz` -> the ISO instant ("…Z"). The server also
// takes its own default zone's local time, but the person typed it in their own zone.
export function zonedToInstant(value, tz) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(value);
  if (!m) return value;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let guess = wall;
  for (let i = 0; i < 3; i++) { // converge across DST changes
    const p = partsIn(new Date(guess), tz);
    const shown = Date.UTC(p.y, p.m - 1, p.d, p.H, p.M);
    guess += wall - shown;
  }
  return new Date(guess).toISOString().replace(".000Z", "Z");
}
