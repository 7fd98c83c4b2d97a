// Shoal dashboard: hash-routed pages over the REST API, refreshed by server-sent events (no page reloads).
// Signed in, the session cookie authenticates and every action carries the session's CSRF token.
"use strict";

const state = { session: { signed_in: false, csrf: null, public: false }, overview: null, events: null, busy: false };
const view = () => document.getElementById("view");

// Text from submitters and agents (names, payloads, logs) is shown as text: control characters and direction marks
// (U+202E would show what follows reversed) are written as escapes; newlines and tabs stay.
const unsafeChars = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const safe = (t) => t.replace(unsafeChars, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
// A long payload is cut in lists (its full text is in the job's failed parts and the API).
const short = (t, n = 200) => (t.length > n ? t.slice(0, n - 1) + "…" : t);
// Counts with thousands separators (65,536), the same in every locale.
const num = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : n);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick" || k === "onchange" || k === "oninput" || k === "onsubmit") e[k] = v;
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) e.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? "" : safe(String(c))));
  return e;
}

function svg(tag, attrs, ...children) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children.flat(Infinity)) e.append(c instanceof Node ? c : document.createTextNode(safe(String(c))));
  return e;
}

// A stream or job that completed past failed parts (a pull type goes on) is not shown as a clean success.
const badge = (s, failed = 0) => s === "completed" && failed > 0
  ? el("span", { class: "state partial", "data-state": s, title: "completed, but some parts failed for good" }, `completed, ${num(failed)} failed`)
  : el("span", { class: "state " + s, "data-state": s }, s);
const when = (t) => (t ? new Date(t).toLocaleString() : "");

async function api(path) {
  const r = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (r.status === 401) { showSignIn(); throw new Error("sign in to see this"); }
  if (!r.ok) throw new Error(`${r.status}: ${(await r.json().catch(() => ({}))).detail || r.statusText}`);
  return r.json();
}

async function text(path) {
  const r = await fetch(path, { credentials: "same-origin" });
  if (r.status === 401) { showSignIn(); throw new Error("sign in to see this"); }
  if (!r.ok) throw new Error(`${r.status}: ${(await r.json().catch(() => ({}))).detail || r.statusText}`);
  return r.text();
}

async function act(path, body) {
  const r = await fetch(path, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": state.session.csrf || "" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) alert(`${path}: ${answer.detail || r.status}`);
  await refresh();
  return answer;
}

function showSignIn() {
  document.getElementById("signin").hidden = state.session.signed_in;
  document.getElementById("signed").hidden = !state.session.signed_in;
}

async function loadSession() {
  state.session = await (await fetch("/dashboard/session", { credentials: "same-origin" })).json();
  showSignIn();
}

function progress(done, failed, total, testid) {
  const pct = total === 0 ? 100 : Math.floor((100 * (done + failed)) / total);
  const ok = el("div", { class: "fill" });
  ok.style.width = (total === 0 ? 100 : (100 * done) / total) + "%";
  const bad = el("div", { class: "fill failed" });
  bad.style.left = ok.style.width;
  bad.style.width = (total === 0 ? 0 : (100 * failed) / total) + "%";
  return el("div", { class: "bar", "data-testid": testid, "data-percent": pct, role: "progressbar", "aria-valuenow": pct },
    ok, bad, el("span", { class: "label" }, `${pct}% (${num(done + failed)}/${num(total)})`));
}

function chart(points) {
  const w = 600, h = 140, max = Math.max(1, ...points.map((p) => p.parts_per_second));
  const s = svg("svg", { width: w, height: h + 20, viewBox: `0 0 ${w} ${h + 20}`, "data-testid": "rate-chart", role: "img", "aria-label": "parts per second, last 10 minutes" });
  s.append(svg("rect", { x: 0, y: 0, width: w, height: h, fill: "#fff", stroke: "#d9dde3" }));
  if (points.length > 1) {
    const xs = (i) => (i * w) / (points.length - 1), ys = (v) => h - (v * (h - 10)) / max;
    s.append(svg("polyline", { fill: "none", stroke: "#2563eb", "stroke-width": 2, points: points.map((p, i) => `${xs(i)},${ys(p.parts_per_second)}`).join(" ") }));
  }
  s.append(svg("text", { x: 4, y: 14, fill: "#6b7280" }, `max ${max.toFixed(0)} parts/s`));
  s.append(svg("text", { x: 4, y: h + 16, fill: "#6b7280" }, points.length < 2 ? "collecting (a point every 10 s)…" : "last 10 minutes"));
  return s;
}

// Parts done (green) and failed (red) per minute, stacked, the last hour; each bar carries its counts.
function history(points) {
  const w = 600, h = 120, n = 60, bw = w / n, max = Math.max(1, ...points.map((p) => p.done + p.failed));
  const s = svg("svg", { width: w, height: h + 20, viewBox: `0 0 ${w} ${h + 20}`, "data-testid": "history", role: "img", "aria-label": "parts done and failed per minute, last hour" });
  s.append(svg("rect", { x: 0, y: 0, width: w, height: h, fill: "#fff", stroke: "#d9dde3" }));
  points.slice(-n).forEach((p, i, all) => {
    const x = (n - all.length + i) * bw, done = (p.done * (h - 10)) / max, failed = (p.failed * (h - 10)) / max;
    const g = svg("g", { "data-minute": p.at, "data-done": p.done, "data-failed": p.failed });
    g.append(svg("title", {}, `${when(p.at)}: ${num(p.done)} done, ${num(p.failed)} failed`));
    g.append(svg("rect", { x: x + 1, y: h - done, width: bw - 2, height: done, fill: "#22c55e" }));
    g.append(svg("rect", { x: x + 1, y: h - done - failed, width: bw - 2, height: failed, fill: "#ef4444" }));
    s.append(g);
  });
  s.append(svg("text", { x: 4, y: 14, fill: "#6b7280" }, `max ${num(max)} parts/min`));
  s.append(svg("text", { x: 4, y: h + 16, fill: "#6b7280" }, "done and failed per minute, last hour (since this server started)"));
  return s;
}

// Jobs in columns by dependency depth, edges from each dependency, nodes coloured by state.
function dag(jobs) {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const depth = new Map();
  const depthOf = (j) => {
    if (depth.has(j.id)) return depth.get(j.id);
    depth.set(j.id, 0);
    const d = j.depends_on.length === 0 ? 0 : 1 + Math.max(...j.depends_on.map((d) => (byId.has(d) ? depthOf(byId.get(d)) : 0)));
    depth.set(j.id, d);
    return d;
  };
  jobs.forEach(depthOf);
  const rows = new Map(), pos = new Map();
  for (const j of jobs) {
    const d = depth.get(j.id), r = rows.get(d) || 0;
    rows.set(d, r + 1);
    pos.set(j.id, { x: 10 + d * 190, y: 10 + r * 60 });
  }
  const colors = { completed: "#bbf7d0", running: "#bfdbfe", failed: "#fecaca", cancelled: "#e5e7eb", paused: "#fde68a", blocked: "#fef3c7", ready: "#f3f4f6" };
  const width = 10 + (Math.max(0, ...depth.values()) + 1) * 190, height = 10 + Math.max(...rows.values()) * 60;
  const s = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, "data-testid": "dag", role: "img", "aria-label": "jobs and their dependencies" });
  for (const j of jobs) for (const d of j.depends_on) {
    const a = pos.get(d), b = pos.get(j.id);
    if (a && b) s.append(svg("line", { x1: a.x + 160, y1: a.y + 20, x2: b.x, y2: b.y + 20, stroke: "#9ca3af", "stroke-width": 1.5 }));
  }
  for (const j of jobs) {
    const p = pos.get(j.id);
    const g = svg("g", { "data-job": j.name, "data-state": j.state });
    g.append(svg("rect", { x: p.x, y: p.y, width: 160, height: 40, rx: 6, fill: colors[j.state] || "#fff", stroke: "#6b7280" }));
    g.append(svg("text", { x: p.x + 8, y: p.y + 17 }, j.name));
    g.append(svg("text", { x: p.x + 8, y: p.y + 32, fill: "#374151" }, `${j.type} · ${j.state}`));
    s.append(g);
  }
  return s;
}

const pages = {
  async "/"() {
    const o = state.overview || (await api("/api/v1/overview"));
    // A count opens the list it counts.
    const card = (label, value, id, href) => el("a", { class: "card", href }, el("div", { class: "muted" }, label), el("div", { class: "num", "data-testid": id }, num(value)));
    const counts = (title, m) => el("table", {}, el("tr", {}, el("th", {}, title), el("th", {}, "count")),
      Object.entries(m).map(([k, v]) => el("tr", {}, el("td", {}, badge(k)), el("td", {}, num(v)))));
    return [
      el("h1", {}, "Overview"),
      el("div", { class: "cards" },
        card("parts ready", o.parts.ready, "parts-ready", "#/streams?state=running"), card("parts leased", o.parts.leased, "parts-leased", "#/agents"),
        card("parts done", o.parts.done, "parts-done", "#/streams?state=completed"), card("parts failed", o.parts.failed, "parts-failed", "#/streams?state=failed"),
        card("agents busy", o.agents_busy, "agents-busy", "#/agents"), card("agents idle", o.agents_idle, "agents-idle", "#/agents"),
        card("agents lost", o.agents_lost, "agents-lost", "#/agents"), card("streams stuck", o.streams_stuck, "streams-stuck", "#/streams?stuck=1")),
      el("h2", {}, "Parts finished per second"), chart(o.rate),
      el("h2", {}, "Done and failed per minute"), history(o.history || []),
      el("div", { class: "cards" }, el("div", {}, el("h2", {}, "Streams"), counts("state", o.streams)), el("div", {}, el("h2", {}, "Jobs"), counts("state", o.jobs))),
    ];
  },

  async "/streams"(q) {
    const params = new URLSearchParams();
    if (q.state) params.set("state", q.state);
    if (q.name) params.set("name", q.name);
    const list = (await api("/api/v1/streams?" + params)).filter((s) => !q.stuck || s.stuck);
    const filter = el("select", { "aria-label": "state", onchange: (e) => go("/streams", { ...q, state: e.target.value }) },
      ["", "queued", "running", "paused", "completed", "failed", "cancelled"].map((s) => el("option", { value: s, selected: s === (q.state || "") }, s || "any state")));
    const search = el("input", { type: "search", placeholder: "name contains", value: q.name || "", "aria-label": "name contains" });
    search.onchange = () => go("/streams", { ...q, name: search.value });
    return [
      el("h1", {}, q.stuck ? "Stuck streams" : "Streams"),
      el("div", { class: "toolbar" }, filter, search),
      el("table", { "data-testid": "streams" }, el("tr", {}, ["id", "name", "owner", "priority", "state", "created", "finished"].map((h) => el("th", {}, h))),
        list.map((s) => el("tr", { "data-stream": s.id }, el("td", {}, el("a", { href: `#/streams/${s.id}` }, s.id)), el("td", {}, el("a", { href: `#/streams/${s.id}` }, s.name)),
          el("td", {}, s.owner), el("td", {}, s.priority), el("td", {}, badge(s.state, s.failed), s.stuck ? el("div", { class: "stuck", "data-testid": "stuck" }, "stuck: " + s.stuck) : ""), el("td", {}, when(s.created_at)), el("td", {}, when(s.finished_at))))),
    ];
  },

  async "/streams/:id"(q, id) {
    const s = await api(`/api/v1/streams/${id}`);
    const sum = (f) => s.jobs.reduce((n, j) => n + f(j.parts), 0);
    const total = sum((p) => p.ready + p.leased + p.done + p.failed + (p.retrying || 0) + (p.not_run || 0));
    const admin = state.session.signed_in;
    // An ended stream can only be requeued (when something in it failed).
    const live = !["completed", "failed", "cancelled"].includes(s.state);
    const controls = admin ? el("div", { class: "actions" },
      live ? el("button", { type: "button", "data-action": "pause", onclick: () => act(`/api/v1/streams/${id}/pause`) }, "Pause") : null,
      live ? el("button", { type: "button", "data-action": "resume", onclick: () => act(`/api/v1/streams/${id}/resume`) }, "Restart") : null,
      live ? el("button", { type: "button", "data-action": "cancel", onclick: () => confirm("Cancel this stream?") && act(`/api/v1/streams/${id}/cancel`) }, "Cancel") : null,
      s.jobs.some((j) => j.parts.failed > 0 || j.state === "failed")
        ? el("button", { type: "button", "data-action": "requeue", title: "Run the failed parts again, with fresh tries", onclick: () => act(`/api/v1/streams/${id}/requeue`) }, "Requeue failed")
        : null) : el("p", { class: "muted" }, "Sign in to pause, restart, cancel or requeue.");
    const failedParts = [];
    for (const j of s.jobs.filter((j) => j.parts.failed > 0)) {
      const parts = await api(`/api/v1/jobs/${j.id}/failed?limit=20`);
      failedParts.push(el("h2", {}, `Failed parts of ${j.name}`),
        parts.map((p) => el("div", { "data-testid": "failed-part" }, el("div", {}, `part ${p.part_id} (${short(p.payload)}), attempt ${p.attempt}`), el("pre", { class: "log" }, p.log || "(no log)"))));
    }
    return [
      el("h1", {}, `Stream ${s.id}: ${s.name} `, el("span", { "data-testid": "stream-state" }, badge(s.state, sum((p) => p.failed)))),
      el("p", { class: "muted" }, `${s.owner ? "owner " + s.owner + " · " : ""}priority ${s.priority} · created ${when(s.created_at)}${s.finished_at ? " · finished " + when(s.finished_at) : ""}${s.reason ? " · " + s.reason : ""}`),
      s.stuck ? el("p", { class: "stuck", "data-testid": "stream-stuck" }, `Stuck since ${when(s.stuck_since)}: ${s.stuck}`) : null,
      progress(sum((p) => p.done), sum((p) => p.failed), total, "stream-progress"),
      controls,
      el("h2", {}, "Jobs"), dag(s.jobs),
      el("table", {}, el("tr", {}, ["job", "type", "state", "progress", "ready", "leased", "done", "failed", ""].map((h) => el("th", {}, h))),
        s.jobs.map((j) => {
          const t = j.parts.ready + j.parts.leased + j.parts.done + j.parts.failed + (j.parts.retrying || 0) + (j.parts.not_run || 0);
          const prio = el("input", { type: "number", value: s.priority, "aria-label": `priority of ${j.name}`, size: 3 });
          return el("tr", { "data-job": j.name }, el("td", {}, el("a", { href: `#/jobs/${j.id}` }, j.name)), el("td", {}, j.type), el("td", {}, badge(j.state, j.parts.failed), j.reason ? el("div", { class: "muted" }, j.reason) : ""),
            el("td", {}, progress(j.parts.done, j.parts.failed, t, `job-progress-${j.name}`)),
            el("td", {}, num(j.parts.ready), j.parts.retrying ? el("div", { class: "muted", "data-testid": `retrying-${j.name}` }, `+${num(j.parts.retrying)} retrying`) : ""),
            el("td", {}, num(j.parts.leased)), el("td", {}, num(j.parts.done)), el("td", {}, num(j.parts.failed)),
            el("td", {}, admin ? [
              j.state === "failed" || j.parts.failed > 0 ? el("button", { type: "button", class: "act", "data-action": `requeue-${j.name}`, onclick: () => act(`/api/v1/jobs/${j.id}/requeue`) }, "Requeue") : null,
              ["blocked", "ready", "running", "paused"].includes(j.state)
                ? el("button", { type: "button", class: "act", "data-action": `force-${j.name}`, onclick: () => act(`/api/v1/jobs/${j.id}/force`) }, "Force") : null,
              prio, el("button", { type: "button", class: "act", onclick: () => act(`/api/v1/jobs/${j.id}/priority`, { priority: Number(prio.value) }) }, "Set priority"),
            ] : ""));
        })),
      failedParts,
    ];
  },

  async "/agents"() {
    const a = await api("/api/v1/agents");
    return [
      el("h1", {}, "Agents"),
      el("table", { "data-testid": "agents" }, el("tr", {}, ["server", "type", "host", "pid", "job", "state", "current parts", "last heartbeat", "items"].map((h) => el("th", {}, h))),
        a.agents.map((g) => el("tr", {}, el("td", {}, g.server || ""), el("td", {}, g.type), el("td", {}, g.host), el("td", {}, g.pid), el("td", {}, g.job ?? ""),
          el("td", {}, badge(g.suspended ? "paused" : g.phase)), el("td", {}, g.parts.join(", ")), el("td", {}, when(g.last_heard)), el("td", {}, g.items)))),
      el("h2", {}, "Pull agents"),
      (a.pull || []).length === 0 ? el("p", { class: "muted" }, "No pull agent has called this server yet.") :
      el("table", { "data-testid": "pull-agents" }, el("tr", {}, ["name", "state", "types", "tags", "leases", "done", "failed", "per minute", "last seen"].map((h) => el("th", {}, h))),
        a.pull.map((p) => el("tr", { "data-agent": p.name }, el("td", {}, p.name), el("td", {}, badge(p.state)),
          el("td", {}, p.types.join(", ")), el("td", {}, p.tags.join(", ")), el("td", {}, p.leases), el("td", {}, p.done), el("td", {}, p.failed),
          el("td", {}, Math.round(p.rate)), el("td", {}, when(p.last_seen))))),
      el("h2", {}, "Agent types"),
      el("table", {}, el("tr", {}, ["type", "kind", "max", "valid", "hosts"].map((h) => el("th", {}, h))),
        a.types.map((t) => el("tr", {}, el("td", {}, t.name), el("td", {}, t.kind), el("td", {}, t.max), el("td", {}, badge(t.valid ? "valid" : "invalid"), t.reason || ""),
          el("td", {}, t.hosts.map((h) => `${h.host}: ${h.state}`).join(", "))))),
    ];
  },

  async "/hosts"() {
    const a = await api("/api/v1/agents");
    return [
      el("h1", {}, "Hosts"),
      el("table", { "data-testid": "hosts" }, el("tr", {}, ["host", "address", "agents running", "max", "load", ""].map((h) => el("th", {}, h))),
        a.hosts.map((h) => el("tr", {}, el("td", {}, h.name), el("td", {}, h.address), el("td", {}, h.running), el("td", {}, h.max),
          el("td", {}, progress(h.running, 0, Math.max(h.max, 1), `host-${h.name}`)), el("td", {}, h.down ? badge("failed") : "")))),
    ];
  },

  async "/sweeps"() {
    const list = await api("/api/v1/sweeps?limit=10");
    if (list.length === 0) return [el("h1", {}, "Sweeps"), el("p", { class: "muted" }, "No sweep has run yet.")];
    const s = await api(`/api/v1/sweeps/${list[0].id}`);
    // The summary's lists are JSON arrays (empty while the sweep runs: its counts come from the store meanwhile).
    const names = (k) => [s.summary[k] || []].flat().join(", ");
    const row = (label, key) => el("tr", {}, el("th", {}, label), el("td", {}, names(key)));
    return [
      el("h1", {}, `Sweeps — latest: ${list[0].id} (${s.mode}) `, badge(s.state)),
      el("div", { class: "cards" },
        el("div", { class: "card" }, el("div", { class: "muted" }, "success"), el("div", { class: "num", "data-testid": "sweep-success" }, s.success)),
        el("div", { class: "card" }, el("div", { class: "muted" }, "failed"), el("div", { class: "num", "data-testid": "sweep-failed" }, s.failed)),
        el("div", { class: "card" }, el("div", { class: "muted" }, "production failed"), el("div", { class: "num", "data-testid": "sweep-failed-production" }, s.failed_production)),
        el("div", { class: "card" }, el("div", { class: "muted" }, "running / queued"), el("div", { class: "num" }, `${s.running} / ${s.queued}`))),
      el("table", {}, row("succeeded", "global_success_hosts_list"), row("failed", "global_fail_hosts_list"), row("production failed", "global_fail_prod_list"), row("not attempted", "not_attempted_list")),
      el("h2", {}, "Earlier runs"),
      el("table", {}, list.map((r) => el("tr", {}, el("td", {}, el("a", { href: `#/streams/${r.id}` }, r.id)), el("td", {}, r.mode), el("td", {}, when(r.started_at))))),
    ];
  },

  async "/jobs/:id"(q, id) {
    const j = await api(`/api/v1/jobs/${id}`);
    const admin = state.session.signed_in;
    const total = j.parts.ready + j.parts.leased + j.parts.done + j.parts.failed + (j.parts.retrying || 0) + (j.parts.not_run || 0);
    const failed = j.parts.failed > 0 ? await api(`/api/v1/jobs/${id}/failed?limit=50`) : [];
    const log = await text(`/api/v1/jobs/${id}/log?tail=8192`);
    const live = ["blocked", "ready", "running", "paused"].includes(j.state);
    const lastLine = (t) => (t || "").split("\n").map((l) => l.trim()).filter((l) => l).pop() || "";
    return [
      el("h1", {}, `Job ${j.id}: ${j.name} `, el("span", { "data-testid": "job-state" }, badge(j.state))),
      el("p", { class: "muted" }, `type ${j.type} · stream `, el("a", { href: `#/streams/${j.stream_id}` }, j.stream_id),
        j.started_at ? ` · started ${when(j.started_at)}` : "", j.finished_at ? ` · finished ${when(j.finished_at)}` : "", j.reason ? ` · ${j.reason}` : ""),
      progress(j.parts.done, j.parts.failed, total, "job-progress"),
      el("p", {}, `${num(j.parts.ready)} ready · ${num(j.parts.leased)} leased · ${num(j.parts.retrying || 0)} retrying · ${num(j.parts.done)} done · ${num(j.parts.failed)} failed` + (j.parts.not_run ? ` · ${num(j.parts.not_run)} not run` : "")),
      admin ? el("div", { class: "actions" },
        j.parts.failed > 0 || j.state === "failed" ? el("button", { type: "button", "data-action": "requeue", onclick: () => act(`/api/v1/jobs/${id}/requeue`) }, "Requeue failed") : null,
        live ? el("button", { type: "button", "data-action": "force", onclick: () => act(`/api/v1/jobs/${id}/force`) }, "Force") : null) : null,
      el("h2", {}, "Why"), el("ul", { "data-testid": "why" }, (j.why || []).map((r) => el("li", {}, r))),
      failed.length ? [el("h2", {}, `Failed parts (${num(j.parts.failed)})`),
        el("table", { "data-testid": "job-failed" }, el("tr", {}, ["part", "payload", "attempts", "host", "last said"].map((h) => el("th", {}, h))),
          failed.map((p) => el("tr", {}, el("td", {}, p.part_id), el("td", {}, short(p.payload, 120)), el("td", {}, p.attempt), el("td", {}, p.host || ""),
            el("td", {}, short(lastLine(p.log) || lastLine(p.result), 200)))))] : null,
      el("h2", {}, "Log (last 8 KB)"), el("pre", { class: "log", "data-testid": "job-log" }, log || "(empty)"),
    ];
  },

  async "/schedules"() {
    const list = await api("/api/v1/schedules");
    const admin = state.session.signed_in;
    return [
      el("h1", {}, "Schedules"),
      el("table", { "data-testid": "schedules" }, el("tr", {}, ["name", "rule", "next run", "last run", "last stream", ""].map((h) => el("th", {}, h))),
        list.map((s) => el("tr", {}, el("td", {}, s.name, s.paused ? badge("paused") : ""), el("td", {}, s.cron || `every ${s.every_seconds} s`, " ", el("span", { class: "muted" }, s.time_zone)),
          el("td", {}, when(s.next_run)), el("td", {}, when(s.last_run)), el("td", {}, s.last_stream ? el("a", { href: `#/streams/${s.last_stream}` }, s.last_stream) : ""),
          el("td", {}, admin ? el("button", { type: "button", class: "act", onclick: () => act(`/api/v1/schedules/${encodeURIComponent(s.name)}/run-now`) }, "Run now") : "")))),
    ];
  },
};

function route() {
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const q = Object.fromEntries(new URLSearchParams(query || ""));
  const m = path.match(/^\/streams\/(\d+)$/);
  const job = path.match(/^\/jobs\/(\d+)$/);
  if (job) return { page: "/jobs/:id", q, arg: job[1], nav: "/streams" };
  return m ? { page: "/streams/:id", q, arg: m[1], nav: "/streams" } : { page: pages[path] ? path : "/", q, nav: path };
}

function go(path, q) {
  const qs = new URLSearchParams(Object.entries(q || {}).filter(([, v]) => v)).toString();
  location.hash = path + (qs ? "?" + qs : "");
}

async function refresh() {
  if (state.busy) return;
  state.busy = true;
  const r = route();
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.getAttribute("href") === "#" + r.nav);
  try {
    if (!state.session.signed_in && !state.session.public) {
      view().replaceChildren(el("h1", {}, "Shoal"), el("p", {}, "Sign in with an admin token to see the scheduler."));
      return;
    }
    const content = await pages[r.page](r.q, r.arg);
    // Keep what the user is typing: a refresh does not replace a page while one of its fields has the focus.
    const typing = view().contains(document.activeElement) && ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (!typing) view().replaceChildren(...[content].flat(Infinity).filter((c) => c !== null && c !== undefined));
  } catch (e) {
    view().replaceChildren(el("p", { class: "error" }, e.message));
  } finally {
    state.busy = false;
  }
}

function listen() {
  if (state.events) state.events.close();
  if (!state.session.signed_in && !state.session.public) return;
  state.events = new EventSource("/api/v1/events");
  state.events.addEventListener("overview", (e) => {
    state.overview = JSON.parse(e.data);
    document.getElementById("live").textContent = "live · " + new Date(state.overview.at).toLocaleTimeString();
    refresh();
  });
  state.events.onerror = () => { document.getElementById("live").textContent = "reconnecting…"; };
}

async function start() {
  window.shoalLoadedAt = Date.now(); // tests check that the page was never reloaded
  await loadSession();
  document.getElementById("signin").onsubmit = async (e) => {
    e.preventDefault();
    const r = await fetch("/dashboard/login", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: document.getElementById("token").value }) });
    if (!r.ok) { alert((await r.json().catch(() => ({}))).detail || "sign-in failed"); return; }
    document.getElementById("token").value = "";
    await loadSession();
    listen();
    refresh();
  };
  document.getElementById("signout").onclick = async () => {
    await fetch("/dashboard/logout", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": state.session.csrf || "" } });
    await loadSession();
    listen();
    refresh();
  };
  window.addEventListener("hashchange", refresh);
  listen();
  refresh();
}

start();
