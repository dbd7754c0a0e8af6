// The dashboard page's shell. It signs in (a token from the local runtime's development-only
// POST /dev/token where that exists, else a pasted one), calls the API on this page's own origin
// and turns every error answer into a readable message, lists the dashboard families, and
// refreshes the one shown every POLL_SECONDS (or the family's own pollSeconds). A family is one
// script in families/ that calls Dashboard.register (families/campaign-stats.js says what a
// family gives).
"use strict";

const Dashboard = (() => {
  // The API caches a dashboard's answer for 60 s (a cache hit is a single read), so a poll every
  // 15 s shows a new answer at most 15 s after the cache turns over, for one cheap read per open
  // page per poll. Live updates over the realtime WebSocket will replace polling once it exists.
  const POLL_SECONDS = 15;
  const PASTED_TOKEN_KEY = "analytics.pastedToken";
  // The roles a development token may have, offered by the role picker unless a family names its own.
  const ROLES = ["viewer", "manager", "admin", "agent", "user", "service"];

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

  /**
   * The answers to named requests (`{name: {path, method, body}}`), asked together, as
   * `{name: answer}`; if any is refused, the first refused in their order is the error, so that the
   * message shown does not depend on which answer came first. With `partial`, a refused request's
   * answer is its ApiError instead, and only when every one is refused is the first the error: a
   * page of panels then shows each refusal in its own panel.
   */
  async function answers(requests, { partial = false } = {}) {
    const names = Object.keys(requests);
    const settled = await Promise.allSettled(names.map((name) => api(requests[name].path, requests[name])));
    const refused = settled.filter((result) => result.status === "rejected");
    const fault = refused.find((result) => !(result.reason instanceof ApiError));
    if (fault) throw fault.reason;
    if (refused.length && (!partial || refused.length === names.length)) throw refused[0].reason;
    return Object.fromEntries(
      names.map((name, index) => {
        const { status, value, reason } = settled[index];
        return [name, status === "fulfilled" ? value : reason];
      }),
    );
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

  /** The role picker offers the shown family's roles, keeping the chosen one if it is among them. */
  function offerRoles(roles) {
    const picker = $("dev-role");
    if (picker.dataset.roles === roles.join()) return;
    const chosen = picker.value;
    picker.replaceChildren(...roles.map((role) => el("option", { text: role })));
    picker.value = roles.includes(chosen) ? chosen : roles[0];
    picker.dataset.roles = roles.join();
  }

  /**
   * A pasted token if there is one, else a development token for the shown family's workspace
   * and the picked role, else a request to paste one.
   */
  async function signIn() {
    const { family } = state;
    offerRoles(family.roles || ROLES);
    const pasted = sessionStorage.getItem(PASTED_TOKEN_KEY);
    if (pasted) {
      useToken(pasted, "pasted");
      return;
    }
    try {
      const body = { role: $("dev-role").value, workspace: family.workspace };
      const minted = await api("/dev/token", { method: "POST", body, signed: false });
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
   * params)}`, and optionally `workspace` and `roles` (the demo workspace and the roles, first the
   * default, of its development tokens) and `pollSeconds`.
   * A family that needs several routes gives `requests(params, claims) -> {name: {path, method,
   * body}}` instead of `request` (`claims`: the token's, `{}` if unreadable); its answer is then
   * `{name: that route's answer}`, all of them or the first error; with `partial: true`, a refused
   * route's answer is its ApiError (Dashboard.refusal tells it, errorBox shows it), and only when
   * every route is refused is the first the family's error.
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
      ...[
        el("h2", { id: `${family.id}-title`, text: family.title }),
        family.fields.length ? form : null,
        family.hint ? el("p", { class: "hint", text: family.hint }) : null,
        el("p", { class: "refresh-line" }, view.status, refresh),
        view.error,
        view.content,
      ].filter(Boolean),
    );
    $("family").replaceChildren(view.root);
    return view;
  }

  async function show() {
    const { family, params } = fromHash();
    for (const link of $("families").querySelectorAll("a")) {
      link.toggleAttribute("aria-current", link.dataset.family === family.id);
    }
    const changed = family !== state.family;
    if (changed || !state.view) {
      state.view = buildView(family, params);
      state.shownKey = null;
    } else {
      for (const [name, value] of Object.entries(params))
        state.view.root.querySelector(`[name="${name}"]`).value = value;
    }
    Object.assign(state, { family, params });
    if (changed) {
      // Another family may sign in to another workspace or with other roles.
      clearTimeout(state.timer);
      await signIn();
    }
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
    let wait = family.pollSeconds || POLL_SECONDS;
    try {
      if (!state.token) throw new ApiError("Not signed in", "Paste a token above to see this dashboard.");
      const request = family.requests ? null : family.request(params);
      const answer = request
        ? await api(request.path, request)
        : await answers(family.requests(params, state.token.claims || {}), { partial: family.partial });
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

  function start() {
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
    show();
  }

  // ---------------------------------------------------------------------------------------------
  // What the families draw with: number formats, values bound to their place in the answer,
  // cards, tiles and tables of them, and the footer of an answer's meta.

  const format = {
    count: (value) => Number(value).toLocaleString("en-US"),
    /** A 0..1 rate with 4 decimals as a percentage with 2: exact, since 4 decimals fit. */
    percent: (rate) => `${(Math.round(rate * 10000) / 100).toFixed(2)} %`,
    /** A percentage as the API gives it (0..100, at most four decimals: seed 002's uptime has four). */
    percentage: (value) => `${value.toLocaleString("en-US", { maximumFractionDigits: 4 })} %`,
    /** Seconds to the millisecond, as the API gives them (exact: three decimals fit). */
    seconds: (value) =>
      value === null || value === undefined ? "–" : `${value.toLocaleString("en-US", { maximumFractionDigits: 3 })} s`,
    /** An amount of money, in cents as the API rounds it. */
    money: (value) => value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    number: (value) => value.toLocaleString("en-US", { maximumFractionDigits: 3 }),
    /** A ratio as the API rounds it (4 decimals: ROAS, z-scores). */
    ratio: (value) => value.toLocaleString("en-US", { maximumFractionDigits: 4 }),
    /** A number exactly as the API gives it (p-values and slopes of 6 significant digits). */
    decimal: (value) => String(value),
    /** A local date (YYYY-MM-DD), as it comes. */
    date: (value) => String(value),
    text: (value) => String(value),
    /** A list of names (ids), comma-separated; "–" when empty. */
    list: (value) => (value.length ? value.join(", ") : "–"),
    bool: (value) => (value ? "yes" : "no"),
    /** An RFC 3339 instant in UTC, to the second (the element keeps it whole). */
    time: (value) => `${value.slice(0, 19).replace("T", " ")} UTC`,
  };

  /** The value at `path` (its keys and indexes joined by dots) of `answer`. */
  function valueAt(answer, path) {
    return path.split(".").reduce((node, key) => (node === null || node === undefined ? node : node[key]), answer);
  }

  /**
   * The value at `path` of `answer` shown as `kind` (a key of `format`; "–" for none), in an
   * element that names both (`data-path`, `data-format`), so that a test can check every value
   * shown against the API's answer.
   */
  function bound(answer, path, kind) {
    const value = valueAt(answer, path);
    const text = value === null || value === undefined ? "–" : format[kind](value);
    const dataset = { path, format: kind };
    if (kind === "time") return el("time", { datetime: value, dataset, text });
    return el("span", { dataset, text });
  }

  /** A card: a title, a headline `[label, value]`, and rows of `[key, label, value, share 0..1, note]`. */
  function card(id, title, headline, rows) {
    return el(
      "article",
      { class: "card", id },
      el("h3", { text: title }),
      headline ? el("p", { class: "headline" }, el("span", { class: "value" }, headline[1]), ` ${headline[0]}`) : null,
      el(
        "dl",
        {},
        rows.map(([key, label, value, share, note]) => {
          const bar = el("span", { class: "bar" });
          bar.style.width = `${Math.round((share || 0) * 1000) / 10}%`;
          return el(
            "div",
            { class: "row", dataset: { key }, title: note },
            el("dt", { text: label }),
            el("dd", { class: "value" }, value),
            share === undefined ? null : el("span", { class: "share" }, bar),
          );
        }),
      ),
    );
  }

  /** Card rows `[key, label, value]` of the fields (`[key, label, kind]`) under `base`. */
  const rows = (answer, base, fields) =>
    fields.map(([key, label, kind]) => [key, label, bound(answer, `${base}.${key}`, kind)]);

  /** `base`'s `{start, end}` as "start to end". */
  const span = (answer, base, start = "start", end = "end") => [
    bound(answer, `${base}.${start}`, "date"),
    " to ",
    bound(answer, `${base}.${end}`, "date"),
  ];

  /** A headline number: its label over the value at `path`. */
  const tile = (answer, path, label, kind, key) =>
    el(
      "div",
      { class: "tile", dataset: key ? { key } : undefined },
      el("span", { class: "tile-label", text: label }),
      bound(answer, path, kind),
    );

  /** A table of the items of the list at `path`, one column per `[key, label, kind]` ("None." when empty). */
  function table(answer, id, title, path, columns) {
    const items = valueAt(answer, path) || [];
    const body = items.map((_, index) =>
      el(
        "tr",
        {},
        columns.map(([key, , kind]) => el("td", { dataset: { key } }, bound(answer, `${path}.${index}.${key}`, kind))),
      ),
    );
    return el(
      "section",
      { class: "list", id, dataset: { list: path } },
      title ? el("h4", { text: title }) : null,
      items.length
        ? el(
            "div",
            { class: "table" },
            el(
              "table",
              {},
              el("thead", {}, el("tr", {}, columns.map(([, label]) => el("th", { text: label })))),
              el("tbody", {}, body),
            ),
          )
        : el("p", { class: "empty", text: "None." }),
    );
  }

  /**
   * The footer of an answer's `meta`, after `extra` fields of the answer (`[path, label, kind]`);
   * with `base`, of the answer at `base` among several (every path starts with it).
   */
  function metaFooter(answer, extra = [], base = "") {
    const fields = [
      ...extra,
      ["meta.generated_at", "computed", "time"],
      ["meta.cache", "cache", "text"],
      ["meta.watermark", "newest event", "time"],
      ["meta.timezone", "time zone", "text"],
      ["meta.source", "source", "text"],
    ];
    return fields.map(([path, label, kind]) => {
      const value = bound(answer, base ? `${base}.${path}` : path, kind);
      if (path.startsWith("meta.")) value.classList.add(path.slice(5).replace(/_/g, "-"));
      return el("span", {}, `${label} `, value);
    });
  }

  /** Whether an answer of a `partial` family's route is a refusal (its ApiError) rather than an answer. */
  const refusal = (answer) => answer instanceof ApiError;

  document.addEventListener("DOMContentLoaded", start);
  return { register, el, format, valueAt, bound, card, rows, span, tile, table, metaFooter, refusal, errorBox };
})();
