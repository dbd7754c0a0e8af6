// The dashboard page's shell. It signs in (a token from the local runtime's development-only
// POST /dev/token where that exists, else a pasted one), calls the API on this page's own origin
// and turns every error answer into a readable message, lists the dashboard families, and
// refreshes the one shown every POLL_SECONDS. A family is one script in families/ that calls
// Dashboard.register (families/campaign-stats.js says what a family gives).
"use strict";

const Dashboard = (() => {
  // The API caches a dashboard's answer for 60 s (a cache hit is a single read), so a poll every
  // 15 s shows a new answer at most 15 s after the cache turns over, for one cheap read per open
  // page per poll. Live updates over the realtime WebSocket will replace polling once it exists.
  const POLL_SECONDS = 15;
  const PASTED_TOKEN_KEY = "analytics.pastedToken";

  const families = [];
  const state = { token: null, family: null, params: null, view: null, shownKey: null, timer: null, overdue: false };
  let loads = 0;

  const $ = (id) => document.getElementById(id);

  /** An element with properties (`class`, `text`, `dataset` or any attribute) and children. */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (name === "text") node.textContent = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, value);
    }
    node.append(...children.flat().filter((child) => child !== null && child !== undefined));
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // The API and its errors.

  /** An API call that did not give an answer, told for a person. */
  class ApiError extends Error {
    constructor(title, message, { status = 0, code = "", details = {}, retryAfter = 0 } = {}) {
      super(message);
      Object.assign(this, { title, status, code, details, retryAfter });
    }
  }

  const TITLES = {
    VALIDATION_FAILED: "The API refused the request",
    UNAUTHORIZED: "The token was refused",
    FORBIDDEN: "This role may not see this dashboard",
    NOT_FOUND: "Not found",
    METHOD_NOT_ALLOWED: "The API does not take this request",
    REQUEST_TIMEOUT: "The request took too long to send",
    PAYLOAD_TOO_LARGE: "The request is too large",
    URI_TOO_LONG: "The request is too long",
    UNSUPPORTED_MEDIA_TYPE: "The API does not take this kind of body",
    RATE_LIMITED: "Too many requests",
    HEADERS_TOO_LARGE: "The request headers are too large",
    INTERNAL: "The API failed (its log has the cause)",
    SERVICE_UNAVAILABLE: "The API is busy or its store is down",
  };

  /** The answer to `method path` as JSON, or an ApiError from its error envelope. */
  async function api(path, { method = "GET", body, signed = true } = {}) {
    const headers = {};
    if (signed && state.token) headers.Authorization = `Bearer ${state.token.value}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (cause) {
      throw new ApiError("Cannot reach the API", `${method} ${path} failed: ${cause.message}`);
    }
    const text = await response.text();
    let answer = null;
    try {
      answer = JSON.parse(text);
    } catch {
      // Not JSON: told below.
    }
    if (response.ok && answer !== null) return answer;
    const status = response.status;
    const retryAfter = Number(response.headers.get("Retry-After")) || 0;
    if (answer && answer.success === false && answer.error) {
      const { code, message, details } = answer.error;
      throw new ApiError(TITLES[code] || code, message, { status, code, details: details || {}, retryAfter });
    }
    const what = response.ok ? "an answer that is not JSON" : "an answer without the API's error envelope";
    throw new ApiError(`HTTP ${status} ${response.statusText}`.trim(), `${method} ${path} gave ${what}`, { status });
  }

  /** `error` (an ApiError or any other) as an alert. */
  function errorBox(error) {
    const details = Object.entries(error.details || {})
      .filter(([name]) => name !== "field" && name !== "reason")
      .map(([name, value]) => `${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    if (error.details && error.details.field) {
      details.unshift(`${error.details.field}: ${error.details.reason || "invalid"}`);
    }
    if (error.retryAfter) details.push(`retry after ${error.retryAfter} s`);
    if (error.code === "UNAUTHORIZED") details.push("Paste a valid token above (“Paste a token”).");
    return el(
      "div",
      { class: "error", role: "alert" },
      el("p", { class: "error-title", text: error.title || "Something went wrong" }),
      el("p", { class: "error-message", text: error.message }),
      details.map((line) => el("p", { class: "error-detail", text: line })),
      error.status ? el("p", { class: "error-code", text: `${error.status} ${error.code}`.trim() }) : null,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Signing in.

  function claimsOf(token) {
    try {
      const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "=")));
    } catch {
      return null;
    }
  }

  function useToken(value, source) {
    const claims = claimsOf(value);
    state.token = { value, source, claims };
    const who = claims ? `${claims.role} of ${claims.ws}` : "an unreadable token";
    const until = claims && claims.exp ? `, until ${new Date(claims.exp * 1000).toISOString().slice(0, 16)} UTC` : "";
    $("sign-in-status").textContent = `Signed in as ${who} (${source} token${until})`;
    $("sign-in-status").dataset.source = source;
  }

  /** A pasted token if there is one, else a development token, else a request to paste one. */
  async function signIn() {
    const pasted = sessionStorage.getItem(PASTED_TOKEN_KEY);
    if (pasted) {
      useToken(pasted, "pasted");
      return;
    }
    try {
      const minted = await api("/dev/token", { method: "POST", body: { role: $("dev-role").value }, signed: false });
      $("dev-role-field").hidden = false;
      useToken(minted.token, "development");
    } catch {
      // Not the local runtime with its development secret on loopback: someone pastes a token.
      state.token = null;
      $("dev-role-field").hidden = true;
      $("token-details").open = true;
      $("sign-in-status").textContent =
        "Not signed in: paste a token (the local runtime prints one per role at start).";
      $("sign-in-status").dataset.source = "none";
    }
  }

  function wireSignIn() {
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("token-input").value.trim();
      if (!value) return;
      sessionStorage.setItem(PASTED_TOKEN_KEY, value);
      $("token-input").value = "";
      $("token-details").open = false;
      useToken(value, "pasted");
      load();
    });
    $("token-forget").addEventListener("click", async () => {
      sessionStorage.removeItem(PASTED_TOKEN_KEY);
      await signIn();
      load();
    });
    $("dev-role").addEventListener("change", async () => {
      await signIn();
      load();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Families, their controls and the refresh loop.

  /**
   * Adds a dashboard family: `{id, title, hint, fields: [{name, label, type, value, required,
   * options, suggestions}], request(params) -> {path, method, body}, render(content, answer,
   * params)}`.
   * `render` is called with each new answer and updates `content` in place.
   */
  function register(family) {
    families.push(family);
  }

  /** The family and its parameters named by the location's hash: `#family-id?name=value&...`. */
  function fromHash() {
    const [id, query] = location.hash.slice(1).split("?");
    const family = families.find((candidate) => candidate.id === id) || families[0];
    const given = new URLSearchParams(query || "");
    const params = {};
    for (const field of family.fields)
      params[field.name] = given.has(field.name) ? given.get(field.name) : field.value || "";
    return { family, params };
  }

  function toHash(family, params) {
    const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== ""));
    return `#${family.id}?${query}`;
  }

  function fieldInput(field, value) {
    const id = `field-${field.name}`;
    let input;
    if (field.type === "select") {
      input = el(
        "select",
        { id, name: field.name },
        field.options.map((option) => el("option", { text: option })),
      );
    } else {
      const list = field.suggestions ? `${id}-suggestions` : undefined;
      const required = field.required ? "" : undefined;
      input = el("input", { id, name: field.name, type: field.type || "text", spellcheck: "false", list, required });
    }
    input.value = value;
    const suggestions = (field.suggestions || []).map((item) => el("option", { value: item }));
    const list = field.suggestions ? el("datalist", { id: `${id}-suggestions` }, suggestions) : null;
    return el("label", { class: "field" }, el("span", { text: field.label }), input, list);
  }

  function buildView(family, params) {
    const form = el(
      "form",
      { class: "controls" },
      family.fields.map((field) => fieldInput(field, params[field.name])),
      el("button", { type: "submit", text: "Show" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const hash = toHash(family, Object.fromEntries(new FormData(form)));
      // The same choice again is a refresh (no hashchange).
      if (hash === location.hash) load();
      else location.hash = hash;
    });
    const refresh = el("button", { type: "button", class: "refresh", text: "Refresh now" });
    refresh.addEventListener("click", () => load());
    const view = {
      root: el("section", { class: "family", id: family.id, "aria-labelledby": `${family.id}-title` }),
      status: el("span", { class: "status", role: "status" }),
      error: el("div", { class: "errors" }),
      content: el("div", { class: "content" }),
    };
    view.root.append(
      el("h2", { id: `${family.id}-title`, text: family.title }),
      form,
      family.hint ? el("p", { class: "hint", text: family.hint }) : null,
      el("p", { class: "refresh-line" }, view.status, refresh),
      view.error,
      view.content,
    );
    $("family").replaceChildren(view.root);
    return view;
  }

  function show() {
    const { family, params } = fromHash();
    for (const link of $("families").querySelectorAll("a")) {
      link.toggleAttribute("aria-current", link.dataset.family === family.id);
    }
    if (family !== state.family || !state.view) {
      state.view = buildView(family, params);
      state.shownKey = null;
    } else {
      for (const [name, value] of Object.entries(params))
        state.view.root.querySelector(`[name="${name}"]`).value = value;
    }
    Object.assign(state, { family, params });
    load();
  }

  function clear(content) {
    Charts.destroyIn(content);
    content.replaceChildren();
  }

  const clock = (date) => date.toISOString().slice(11, 19) + " UTC";

  /** Fetches the shown family's answer and renders it, or its error; then schedules the next. */
  async function load() {
    clearTimeout(state.timer);
    const { family, params, view } = state;
    const key = JSON.stringify([family.id, params, state.token && state.token.value]);
    const generation = ++loads;
    view.root.dataset.state = "loading";
    let wait = POLL_SECONDS;
    try {
      if (!state.token) throw new ApiError("Not signed in", "Paste a token above to see this dashboard.");
      const request = family.request(params);
      const answer = await api(request.path, request);
      if (generation !== loads) return;
      if (key !== state.shownKey) clear(view.content);
      family.render(view.content, answer, params);
      state.shownKey = key;
      view.error.replaceChildren();
      view.root.classList.remove("stale");
      view.root.dataset.state = "ready";
      view.status.textContent = `Updated ${clock(new Date())}; next refresh in ${wait} s.`;
    } catch (error) {
      // A fault of this page, not an answer of the API: shown, and logged for its developers.
      if (!(error instanceof ApiError)) console.error(error);
      if (generation !== loads) return;
      // A failed refresh of what is shown keeps it, marked stale; anything else is cleared.
      const kept = key === state.shownKey;
      if (kept) {
        view.root.classList.add("stale");
      } else {
        clear(view.content);
        state.shownKey = null;
      }
      wait = Math.max(wait, error.retryAfter || 0);
      view.error.replaceChildren(errorBox(error));
      view.root.dataset.state = "error";
      const note = kept ? " The numbers below are from the last successful refresh." : "";
      view.status.textContent = `Failed at ${clock(new Date())}; retrying in ${wait} s.${note}`;
    }
    view.root.dataset.loads = String(generation);
    state.timer = setTimeout(() => (document.hidden ? (state.overdue = true) : load()), wait * 1000);
  }

  async function start() {
    $("families").replaceChildren(
      ...families.map((family) =>
        el("a", { href: `#${family.id}`, dataset: { family: family.id }, text: family.title }),
      ),
    );
    wireSignIn();
    // No polling in a hidden tab; a tab shown again refreshes at once if it missed a poll.
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && state.overdue) {
        state.overdue = false;
        load();
      }
    });
    window.addEventListener("hashchange", show);
    await signIn();
    show();
  }

  // ---------------------------------------------------------------------------------------------
  // Number formats shared by the families.

  const format = {
    count: (value) => Number(value).toLocaleString("en-US"),
    /** A 0..1 rate with 4 decimals as a percentage with 2: exact, since 4 decimals fit. */
    percent: (rate) => `${(Math.round(rate * 10000) / 100).toFixed(2)} %`,
    /** Seconds to the millisecond, as the API gives them (exact: three decimals fit). */
    seconds: (value) =>
      value === null || value === undefined ? "–" : `${value.toLocaleString("en-US", { maximumFractionDigits: 3 })} s`,
  };

  document.addEventListener("DOMContentLoaded", start);
  return { register, el, format };
})();
