// The sandbox server's JSON API (bot/sandbox/PROTOCOL.md). Errors come back as
// {"ok": false, "error": "..."} with a 4xx; we turn them into thrown Errors carrying
// the server's reason so the page can show it.

export class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
    });
  } catch (err) {
    throw new ApiError(`The sandbox server does not answer (${err.message}).`, 0, null);
  }
  let data = null;
  try { data = await res.json(); } catch (_) { /* a non-JSON error page */ }
  if (!res.ok || (data && data.ok === false)) {
    const reason = (data && (data.error || data.message)) || `${res.status} ${res.statusText}`;
    throw new ApiError(reason, res.status, data);
  }
  return data || {};
}

const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) s.set(k, v);
  const text = s.toString();
  return text ? `?${text}` : "";
};

export const api = {
  state: (user, conversation) => call("GET", `/api/state${q({ user, conversation })}`),
  calls: (since) => call("GET", `/api/calls?since=${encodeURIComponent(since || 0)}`),
  command: (user, conversation, text) => call("POST", "/api/command", { user, conversation, text }),
  shortcut: (user, callbackId) => call("POST", "/api/shortcut", { user, callback_id: callbackId }),
  home: (user) => call("POST", "/api/home", { user }),
  action: (body) => call("POST", "/api/action", body),
  suggest: (body) => call("POST", "/api/suggest", body),
  submit: (user, viewId, draft) => call("POST", "/api/submit", { user, view_id: viewId, draft }),
  close: (user, viewId) => call("POST", "/api/close", { user, view_id: viewId }),
  travel: (to) => call("POST", "/api/travel", { to }),
  upload: (user, name, contentBase64) =>
    call("POST", "/api/upload", { user, name, content_base64: contentBase64 }),
};
