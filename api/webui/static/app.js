// socialpulse web page: a client of this server's /api/v1. Plain DOM, no
// dependencies. Text from the API (posts, notes) is only ever set as text,
// never parsed as HTML.
"use strict";

(function () {
  const API = "../api/v1";
  const TOKEN_KEY = "socialpulse.token";
  const PAGE = 25;
  const REFRESH_MS = 10000;
  const SVGNS = "http://www.w3.org/2000/svg";
  const PRIORITY_NAMES = { 1: "critical", 2: "high", 3: "medium", 4: "low" };

  const state = {
    features: {}, // id -> {name, owner, ...}
    featureOrder: [],
    featuresLoaded: null,
    cursors: [""], // cursor of each page seen; the last is the current page
    windows: null,
    window: null,
    liveTimer: null,
    listSeq: 0,
  };

  // ---------------------------------------------------------------- DOM helpers

  const $ = (id) => document.getElementById(id);

  // el builds an element: attrs (class, text, on*, dataset keys via data-*)
  // and children (nodes or strings, falsy ones skipped).
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    setAttrs(n, attrs);
    append(n, children);
    return n;
  }

  function svg(tag, attrs, ...children) {
    const n = document.createElementNS(SVGNS, tag);
    setAttrs(n, attrs);
    append(n, children);
    return n;
  }

  function setAttrs(n, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") n.textContent = v;
      else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? "" : String(v));
    }
  }

  function append(n, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      n.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  function show(node, msg) {
    node.textContent = msg || "";
    node.hidden = !msg;
  }

  // ---------------------------------------------------------------- formatting

  // Times are shown in the viewer's zone, and say which zone that is.
  const dtf = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  const tzName = (() => {
    const part = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(new Date()).find((p) => p.type === "timeZoneName");
    return part ? part.value : "local time";
  })();
  const tf = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const dayf = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
  const nf = new Intl.NumberFormat();

  const fmtTime = (s) => (s ? dtf.format(new Date(s)) : "");
  const fmtNum = (v) => nf.format(Math.round(v));
  const fmtPct = (v) => (v >= 0 ? "+" : "") + nf.format(Math.round(v)) + "%";
  const fmtShare = (v) => Math.round(v * 100) + "%";

  function fmtDuration(ms) {
    const m = Math.max(0, Math.round(ms / 60000));
    if (m < 1) return "under a minute";
    if (m < 60) return m + " min";
    const h = Math.floor(m / 60);
    if (h < 48) return h + " h " + (m % 60 ? (m % 60) + " min" : "");
    return Math.round(h / 24) + " days";
  }

  function ago(s) {
    const ms = Date.now() - new Date(s).getTime();
    if (ms < 60000) return "just now";
    return fmtDuration(ms).trim() + " ago";
  }

  const featureName = (id) => (state.features[id] && state.features[id].name) || (id === "other" ? "Other posts (no known feature)" : id);
  const priorityText = (p) => "P" + p + (PRIORITY_NAMES[p] ? " · " + PRIORITY_NAMES[p] : "");
  const stateText = (s) => (s === "firing" ? "Ongoing" : s === "resolved" ? "Resolved" : s);

  function badge(p) {
    return el("span", { class: "badge p" + p, title: priorityText(p) }, "P" + p);
  }

  function stateTag(s) {
    return el("span", { class: "state " + s }, stateText(s));
  }

  function safeURL(u) {
    try {
      const url = new URL(u);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  // ---------------------------------------------------------------- API and auth

  class APIError extends Error {
    constructor(status, body) {
      super((body && body.error) || "the server answered " + status);
      this.status = status;
      this.parameter = body && body.parameter;
    }
  }

  const token = () => sessionStorage.getItem(TOKEN_KEY) || "";

  let tokenPrompt = null; // one dialog at a time; callers wait on it

  function askToken(why) {
    if (tokenPrompt) return tokenPrompt;
    const dlg = $("auth");
    $("auth-why").textContent = why;
    $("auth-token").value = "";
    tokenPrompt = new Promise((resolve) => {
      const form = $("auth-form");
      const done = (ev) => {
        ev.preventDefault();
        const v = $("auth-token").value.trim();
        if (!v) return;
        sessionStorage.setItem(TOKEN_KEY, v);
        form.removeEventListener("submit", done);
        dlg.close();
        tokenPrompt = null;
        authState();
        resolve();
      };
      form.addEventListener("submit", done);
      dlg.addEventListener("cancel", (ev) => ev.preventDefault()); // no data without a token
    });
    dlg.showModal();
    $("auth-token").focus();
    return tokenPrompt;
  }

  // api fetches path under /api/v1 and returns the decoded JSON (or the
  // Response when raw). On 401 it asks for a token and tries again.
  async function api(path, opts = {}, raw = false) {
    for (let attempt = 0; ; attempt++) {
      const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
      if (token()) headers.Authorization = "Bearer " + token();
      const res = await fetch(API + path, Object.assign({}, opts, { headers, credentials: "same-origin", cache: "no-store" }));
      if (res.status === 401 && attempt < 5) {
        const body = await res.json().catch(() => null);
        const had = token();
        sessionStorage.removeItem(TOKEN_KEY);
        authState();
        await askToken(had ? "That token was not accepted (" + ((body && body.error) || "401") + "). Please enter a valid API token."
          : "This socialpulse server needs an API token to show its data. Ask your administrator for one.");
        continue;
      }
      if (raw && res.ok) return res;
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new APIError(res.status, body);
      return body;
    }
  }

  function authState() {
    const t = token();
    $("auth-state").textContent = t ? "Signed in with an API token" : "";
    $("signout").hidden = !t;
  }

  // ---------------------------------------------------------------- features

  function loadFeatures() {
    if (!state.featuresLoaded) {
      state.featuresLoaded = api("/features").then((r) => {
        const sel = $("f-feature");
        for (const f of r.features || []) {
          state.features[f.id] = f;
          state.featureOrder.push(f.id);
          sel.append(el("option", { value: f.id }, f.name || f.id));
        }
        const want = new URLSearchParams(routeQuery()).get("feature");
        if (want) sel.value = want;
      }).catch((e) => {
        state.featuresLoaded = null;
        throw e;
      });
    }
    return state.featuresLoaded;
  }

  // ---------------------------------------------------------------- routing

  function route() {
    const h = location.hash.replace(/^#/, "") || "/";
    const path = h.split("?")[0];
    if (path.startsWith("/spikes/")) return { view: "spike", id: decodeURIComponent(path.slice(8)) };
    if (path.startsWith("/incidents/")) return { view: "incident", id: decodeURIComponent(path.slice(11)) };
    if (path === "/incidents") return { view: "incidents" };
    if (path === "/live") return { view: "live" };
    return { view: "spikes" };
  }

  function routeQuery() {
    const h = location.hash.replace(/^#/, "");
    const i = h.indexOf("?");
    return i < 0 ? "" : h.slice(i + 1);
  }

  async function render() {
    const r = route();
    for (const v of ["spikes", "spike", "incidents", "incident", "live"]) $("view-" + v).hidden = v !== r.view;
    for (const a of document.querySelectorAll("[data-nav]")) {
      const on = a.dataset.nav === r.view || (r.view === "spike" && a.dataset.nav === "spikes") ||
        (r.view === "incident" && a.dataset.nav === "incidents");
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    stopLive();
    try {
      await loadFeatures();
    } catch (e) {
      show($(r.view + "-error"), "Could not load the feature list: " + e.message);
    }
    if (r.view === "spike") return showSpike(r.id);
    if (r.view === "incidents") return showIncidents();
    if (r.view === "incident") return showIncident(r.id);
    if (r.view === "live") return startLive();
    return showList();
  }

  // ---------------------------------------------------------------- incidents

  const MILESTONE_NAMES = { acknowledged: "Acknowledged", statement: "Statement", status_page: "Status page",
    fix_deployed: "Fix deployed", resolved: "Resolved", note: "Note" };
  const incidentState = (s) => el("span", { class: "state " + (s === "open" ? "firing" : "resolved") }, s === "open" ? "Open" : "Resolved");

  async function showIncidents() {
    const body = $("incidents-table").tBodies[0];
    show($("incidents-error"), "");
    body.replaceChildren();
    let r;
    try {
      r = await api("/incidents?from=" + encodeURIComponent(new Date(Date.now() - 30 * 86400000).toISOString()));
    } catch (e) {
      show($("incidents-error"), "Could not load the incidents: " + e.message);
      return;
    }
    if (route().view !== "incidents") return;
    const list = r.incidents || [];
    $("incidents-empty").hidden = list.length > 0;
    for (const inc of list) {
      const href = "#/incidents/" + encodeURIComponent(inc.id);
      body.append(el("tr", { "data-id": inc.id, onclick: () => { location.hash = href; } },
        el("td", {}, fmtTime(inc.start)),
        el("td", {}, badge(inc.priority)),
        el("td", {}, incidentState(inc.state)),
        el("td", {}, (inc.features || []).map(featureName).join(", ")),
        el("td", { class: "summary" }, el("a", { href }, inc.title))));
    }
  }

  async function showIncident(id) {
    const box = $("incident");
    show($("incident-error"), "");
    box.replaceChildren(el("p", { class: "muted" }, "Loading…"));
    let d;
    try {
      d = await api("/incidents/" + encodeURIComponent(id));
    } catch (e) {
      box.replaceChildren();
      show($("incident-error"), e.status === 404 ? "This incident no longer exists (its spikes may have expired)." : "Could not load the incident: " + e.message);
      return;
    }
    if (route().id !== id) return;
    const m = d.measures;
    const secs = (v, missing) => (v === null || v === undefined ? missing : fmtDuration(v * 1000));
    box.replaceChildren(
      el("div", { class: "detail-head" },
        el("div", {},
          el("h1", { id: "incident-title", tabindex: -1 }, badge(d.priority), el("span", {}, d.title), incidentState(d.state)),
          el("p", { class: "meta" }, "Started " + fmtTime(d.start) + (d.end ? " · ended " + fmtTime(d.end) : " · ongoing") +
            " · features: " + (d.features || []).map(featureName).join(", ")))),
      (d.warnings || []).map((w) => el("div", { class: "notice" }, w)),
      m ? el("div", { class: "kpis", id: "incident-measures" },
        kpi("Time to detect", secs(m.timeToDetectSeconds, "unknown")),
        kpi("Time to first response", secs(m.timeToFirstResponseSeconds, "no statement yet")),
        kpi("Time to recover", secs(m.timeToRecoverSeconds, "not yet")),
        kpi("Excess negative posts", fmtNum(m.excessNegative))) : null,
      el("div", { class: "card" }, el("h3", {}, "Timeline"), incidentChart(d)),
      el("div", { class: "card" }, el("h3", {}, "Milestones"),
        d.milestones && d.milestones.length ? el("ol", { id: "milestones", class: "milestones" }, d.milestones.map((ms) =>
          el("li", { "data-type": ms.type },
            el("strong", {}, MILESTONE_NAMES[ms.type] || ms.type), " · " + fmtTime(ms.time) + " · " + ms.author,
            ms.source === "brand_post" ? el("span", { class: "muted" }, " (brand post, recorded automatically)") : null,
            ms.text ? el("p", { class: "post" }, ms.text) : null)))
          : el("p", { class: "muted", id: "milestones-empty" }, "No milestones recorded yet."),
        milestoneForm(d)),
      afterCare(d.afterCare),
      d.samples && d.samples.length ? el("div", { class: "card" }, el("h3", {}, "What customers wrote"),
        el("div", { id: "incident-samples" }, d.samples.map((p) => el("blockquote", { class: "post" },
          el("p", {}, p.text), el("footer", { class: "muted" }, (p.author || "unknown") + " · " + featureName(p.feature) +
            (p.inferred ? " (tagged by the fallback model)" : "") + " · " + fmtTime(p.time)))))) : null);
  }

  // milestoneForm records what was done about the incident (a statement,
  // a status-page post, a fix...). The API needs a token with the write
  // role; the incident is reloaded afterwards so its measures and chart
  // include the milestone.
  function milestoneForm(d) {
    const msg = el("div", { class: "error", role: "alert", id: "milestone-error", hidden: true });
    const type = el("select", { id: "milestone-type", name: "type" },
      Object.keys(MILESTONE_NAMES).map((k) => el("option", { value: k }, MILESTONE_NAMES[k])));
    type.value = "statement";
    const text = el("textarea", { id: "milestone-text", name: "text", maxlength: 2000,
      placeholder: "e.g. the statement as posted, or what was deployed" });
    const when = el("input", { id: "milestone-time", name: "time", type: "datetime-local" });
    const author = el("input", { id: "milestone-author", name: "author", maxlength: 64, autocomplete: "name", placeholder: "optional" });
    const submit = el("button", { type: "submit", class: "primary" }, "Record milestone");
    const status = el("span", { class: "muted", role: "status", "aria-live": "polite" });
    const form = el("form", { class: "note-form", id: "milestone-form", "aria-label": "Record a milestone" },
      el("div", { class: "field" }, el("label", { for: "milestone-type" }, "What happened"), type),
      el("div", { class: "field" }, el("label", { for: "milestone-text" }, "Text"), text),
      el("div", { class: "field" }, el("label", { for: "milestone-time" }, "When (empty: now, in " + tzName + ")"), when),
      el("div", { class: "field" }, el("label", { for: "milestone-author" }, "Your name"), author),
      msg,
      el("div", { class: "actions" }, submit, status));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      show(msg, "");
      if (type.value === "note" && !text.value.trim()) {
        show(msg, "A note needs text.");
        return;
      }
      const body = { type: type.value, text: text.value, author: author.value.trim() };
      if (when.value) {
        const t = new Date(when.value);
        if (isNaN(t.getTime())) {
          show(msg, "That time is not valid.");
          return;
        }
        body.time = t.toISOString();
      }
      submit.disabled = true;
      status.textContent = "Saving…";
      try {
        await api("/incidents/" + encodeURIComponent(d.id) + "/milestones", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
        status.textContent = "Milestone recorded.";
        showIncident(d.id);
      } catch (e) {
        status.textContent = "";
        if (e.status === 403) show(msg, "Your API token can read incidents but not record milestones: it needs the write role. Ask your administrator for a token with the write role.");
        else show(msg, "The milestone was not saved: " + e.message);
      } finally {
        submit.disabled = false;
      }
    });
    return el("details", { class: "milestone-add" }, el("summary", {}, "Record a milestone"), form);
  }

  function kpi(label, value) {
    return el("div", { class: "kpi" }, el("div", { class: "k" }, label), el("div", { class: "v" }, value));
  }

  // incidentChart draws the negative posts of the affected features, the
  // baseline band, and a line per milestone, as SVG built node by node.
  function incidentChart(d) {
    const tl = d.timeline;
    if (!tl || !tl.points || tl.points.length < 2) return el("p", { class: "muted" }, "No timeline: the matrix could not be read.");
    const W = 900, H = 220, L = 40, R = 890, T = 10, B = 190;
    const from = new Date(tl.from).getTime(), to = new Date(tl.to).getTime();
    const upper = d.measures ? d.measures.volumeUpper : 0;
    const ymax = Math.max(1, upper, ...tl.points.map((p) => p.negative));
    const x = (t) => L + ((t - from) / Math.max(1, to - from)) * (R - L);
    const y = (v) => B - (v / ymax) * (B - T);
    const pts = tl.points.map((p) => x(new Date(p.start).getTime()).toFixed(1) + "," + y(p.negative).toFixed(1)).join(" ");
    const marks = (d.milestones || []).filter((ms) => { const t = new Date(ms.time).getTime(); return t >= from && t <= to; });
    return el("div", { id: "incident-chart" },
      svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Negative posts over time with the baseline band and the milestones" },
        upper ? svg("rect", { x: L, y: y(upper).toFixed(1), width: R - L, height: (B - y(upper)).toFixed(1), class: "band" }) : null,
        svg("line", { x1: L, x2: R, y1: B, y2: B, class: "axis" }),
        svg("polyline", { points: pts, class: "negative" }),
        marks.map((ms) => {
          const mx = x(new Date(ms.time).getTime()).toFixed(1);
          return svg("g", { class: "milestone" }, svg("line", { x1: mx, x2: mx, y1: T, y2: B }),
            svg("text", { x: mx, y: H - 12, "text-anchor": "middle" }, MILESTONE_NAMES[ms.type] || ms.type));
        }),
        svg("text", { x: L - 4, y: T + 8, "text-anchor": "end" }, fmtNum(ymax)),
        svg("text", { x: L - 4, y: B, "text-anchor": "end" }, "0")),
      el("p", { class: "muted" }, "Negative posts about the affected features per " + tl.step + " (times in " + tzName + "), the band of usual volume before the incident, and the milestones."));
  }

  // afterCare is the watch after the incident ended: a day per row.
  function afterCare(w) {
    if (!w) return el("div", { class: "card" }, el("h3", {}, "After-care"), el("p", { class: "muted" }, "The after-care watch starts when the incident ends."));
    return el("div", { class: "card", id: "aftercare" }, el("h3", {}, "After-care"),
      el("p", {}, w.daysAbove + " of " + w.days.length + " days with negative share above the band around the " +
        fmtShare(w.baselineShare) + " before the incident; " + w.leaveIntent + " posts saying they are leaving or no longer trust the brand."),
      el("div", { class: "table-wrap" }, el("table", {},
        el("thead", {}, el("tr", {}, ["Day", "Negative share", "Band", "Leaving or distrust"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, w.days.map((day, i) => el("tr", { class: day.above ? "above" : null },
          el("td", {}, (i + 1) + " · " + dayf.format(new Date(day.start))),
          el("td", {}, day.available && day.scored > 0 ? fmtShare(day.share) : "–"),
          el("td", {}, day.available && day.scored > 0 ? "up to " + fmtShare(day.upper) : "–"),
          el("td", {}, fmtNum(day.leaveIntent))))))));
  }

  // ---------------------------------------------------------------- list and timeline

  const FILTERS = ["feature", "priority", "state", "from", "to", "q"];

  // Filters live in the hash (#/?feature=checkout&...), so a view can be
  // bookmarked and Back works. from/to are kept as RFC 3339.
  function filtersFromForm() {
    const p = new URLSearchParams();
    for (const k of FILTERS) {
      let v = $("f-" + k).value.trim();
      if (!v) continue;
      if (k === "from" || k === "to") v = new Date(v).toISOString();
      p.set(k, v);
    }
    return p;
  }

  function formFromFilters(p) {
    for (const k of FILTERS) {
      let v = p.get(k) || "";
      if (v && (k === "from" || k === "to")) v = toLocalInput(new Date(v));
      $("f-" + k).value = v;
    }
  }

  function toLocalInput(d) {
    if (isNaN(d)) return "";
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  async function showList() {
    const filters = new URLSearchParams(routeQuery());
    formFromFilters(filters);
    const cursor = state.cursors[state.cursors.length - 1];
    const q = new URLSearchParams(filters);
    q.set("limit", String(PAGE));
    if (cursor) q.set("cursor", cursor);
    const seq = ++state.listSeq;
    show($("spikes-error"), "");
    let r;
    try {
      r = await api("/spikes?" + q.toString());
    } catch (e) {
      if (seq !== state.listSeq) return;
      show($("spikes-error"), "Could not load spikes: " + e.message);
      drawTimeline([], filters);
      fillTable([]);
      return;
    }
    if (seq !== state.listSeq) return; // a newer request is under way
    const spikes = r.spikes || [];
    state.next = r.nextCursor || "";
    drawTimeline(spikes, filters);
    fillTable(spikes);
    const page = state.cursors.length;
    $("page-no").textContent = spikes.length ? "Page " + page : "";
    $("prev").disabled = page <= 1;
    $("next").disabled = !state.next;
    $("list-count").textContent = spikes.length === 0 ? "" :
      spikes.length + (spikes.length === 1 ? " spike" : " spikes") + (state.next || page > 1 ? " on this page" : "");
  }

  function fillTable(spikes) {
    const tb = document.querySelector("#spikes-table tbody");
    tb.replaceChildren();
    if (!spikes.length) {
      tb.append(el("tr", {}, el("td", { colspan: 7, class: "empty" },
        routeQuery() ? "No spikes match these filters." :
          "No spikes yet. socialpulse counts negative posts per feature and raises a spike when they surge above their usual level; " +
          "the first can come an hour after start, once each feature has a baseline. Meanwhile the Live matrix shows the counts as they arrive.")));
      return;
    }
    for (const s of spikes) {
      const href = "#/spikes/" + encodeURIComponent(s.id);
      const end = s.endsAt ? new Date(s.endsAt) : new Date();
      const tr = el("tr", { "data-id": s.id, "data-feature": s.feature, onclick: (ev) => { if (ev.target.tagName !== "A") location.hash = href; } },
        el("td", {}, badge(s.priority)),
        el("td", {}, el("strong", {}, s.featureName || featureName(s.feature)), s.owner ? el("div", { class: "muted small" }, s.owner) : null),
        el("td", { class: "summary" }, el("a", { href }, s.summary || "Spike in " + featureName(s.feature))),
        el("td", {}, fmtTime(s.startsAt), el("div", { class: "muted small" }, ago(s.startsAt))),
        el("td", {}, fmtDuration(end - new Date(s.startsAt)) + (s.endsAt ? "" : " so far")),
        el("td", { class: "num up" }, fmtPct(s.changePct)),
        el("td", {}, stateTag(s.state)));
      tb.append(tr);
    }
  }

  function drawTimeline(spikes, filters) {
    const box = $("timeline");
    box.replaceChildren();
    if (!spikes.length) {
      box.append(el("div", { class: "empty" }, "Nothing to draw for these filters."));
      return;
    }
    const now = Date.now();
    const t = (s) => new Date(s).getTime();
    let lo = Math.min(...spikes.map((s) => t(s.startsAt)));
    let hi = Math.max(...spikes.map((s) => (s.endsAt ? t(s.endsAt) : now)));
    if (filters.get("from")) lo = Math.min(lo, t(filters.get("from")));
    if (filters.get("to")) hi = Math.max(hi, Math.min(t(filters.get("to")), now));
    // Short spikes get some context, centred on them (never past now), so a
    // two-minute spike is not squeezed into the last pixels of the axis.
    const minSpan = 12 * 60000;
    if (hi - lo < minSpan) {
      const extra = minSpan - (hi - lo);
      const after = Math.min(extra / 2, Math.max(0, now - hi));
      hi += after;
      lo -= extra - after;
    }
    const pad = Math.max((hi - lo) * 0.04, 60000);
    lo -= pad;
    hi = Math.min(hi + pad, Math.max(now, hi));
    if (hi <= lo) hi = lo + 60 * 60000;

    // one lane per feature, in taxonomy order
    const lanes = [...new Set(spikes.map((s) => s.feature))].sort((a, b) => {
      const ia = state.featureOrder.indexOf(a), ib = state.featureOrder.indexOf(b);
      return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || a.localeCompare(b);
    });
    const W = 1000, left = 250, right = 16, top = 8, laneH = 34, axisH = 40;
    const H = top + lanes.length * laneH + axisH;
    const x = (ms) => left + ((ms - lo) / (hi - lo)) * (W - left - right);
    const root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Timeline of " + spikes.length + " spikes by feature" });

    lanes.forEach((f, i) => {
      const y = top + i * laneH;
      root.append(svg("rect", { class: "lane-bg" + (i % 2 ? " alt" : ""), x: 0, y, width: W, height: laneH }));
      root.append(svg("text", { class: "lane-label", x: 10, y: y + laneH / 2 + 4 }, svg("title", {}, featureName(f)), clip(featureName(f), 34)));
    });

    // axis ticks at round times
    const ticks = niceTicks(lo, hi);
    const multiDay = new Date(lo).toDateString() !== new Date(hi).toDateString();
    for (const tk of ticks) {
      const xx = x(tk);
      root.append(svg("line", { class: "grid", x1: xx, x2: xx, y1: top, y2: top + lanes.length * laneH }));
      const d = new Date(tk);
      root.append(svg("text", { class: "axis", x: xx, y: top + lanes.length * laneH + 16, "text-anchor": "middle" },
        (multiDay ? dayf.format(d) + " " : "") + tf.format(d)));
    }
    root.append(svg("text", { class: "axis tz", x: W - right, y: H - 4, "text-anchor": "end" }, "times in " + tzName));
    if (now >= lo && now <= hi) {
      const xn = x(now);
      root.append(svg("line", { class: "now", x1: xn, x2: xn, y1: top - 4, y2: top + lanes.length * laneH }));
    }

    // bars, the most urgent drawn last (on top)
    const order = [...spikes].sort((a, b) => b.priority - a.priority);
    for (const s of order) {
      const i = lanes.indexOf(s.feature);
      const x0 = x(t(s.startsAt));
      const x1 = x(s.endsAt ? t(s.endsAt) : now);
      const label = priorityText(s.priority) + " spike in " + featureName(s.feature) + ", " + stateText(s.state).toLowerCase() +
        ", started " + fmtTime(s.startsAt) + (s.endsAt ? ", ended " + fmtTime(s.endsAt) : "") + ": " + (s.summary || "");
      const href = "#/spikes/" + encodeURIComponent(s.id);
      const a = svg("a", { href, "aria-label": label, "data-id": s.id },
        svg("title", {}, label),
        svg("rect", { class: "bar p" + s.priority + (s.state === "firing" ? " firing" : ""), x: x0, y: top + i * laneH + 7,
          width: Math.max(x1 - x0, 7), height: laneH - 14, rx: 4 }));
      root.append(a);
    }
    box.append(root);
  }

  function niceTicks(lo, hi) {
    const span = hi - lo;
    const steps = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((m) => m * 60000);
    const step = steps.find((s) => span / s <= 8) || steps[steps.length - 1];
    const out = [];
    const tz = new Date(lo).getTimezoneOffset() * 60000;
    for (let v = Math.ceil((lo - tz) / step) * step + tz; v < hi; v += step) out.push(v);
    return out;
  }

  function clip(s, n) {
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }

  async function exportCSV() {
    const q = new URLSearchParams(routeQuery());
    try {
      const res = await api("/spikes.csv?" + q.toString(), { headers: { Accept: "text/csv" } }, true);
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: "spikes.csv" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      show($("spikes-error"), "Could not export: " + e.message);
    }
  }

  // ---------------------------------------------------------------- one spike

  async function showSpike(id) {
    const box = $("spike");
    show($("spike-error"), "");
    box.replaceChildren(el("p", { class: "muted" }, "Loading…"));
    let s;
    try {
      s = await api("/spikes/" + encodeURIComponent(id));
    } catch (e) {
      box.replaceChildren();
      show($("spike-error"), e.status === 404 ? "This spike no longer exists (it may have expired)." : "Could not load the spike: " + e.message);
      return;
    }
    if (route().id !== id) return;
    const end = s.endsAt ? new Date(s.endsAt) : new Date();
    const fname = s.featureName || featureName(s.feature);
    box.replaceChildren(
      el("div", { class: "detail-head" },
        el("div", {},
          el("h1", { id: "spike-title", tabindex: -1 }, badge(s.priority), el("span", {}, fname), stateTag(s.state)),
          el("p", { class: "meta" },
            "Started " + fmtTime(s.startsAt) +
            (s.endsAt ? " · ended " + fmtTime(s.endsAt) + " · lasted " : " · ongoing for ") + fmtDuration(end - new Date(s.startsAt)) +
            (s.owner ? " · owner: " + s.owner : "")))),
      el("p", { class: "summary-line", id: "spike-summary" }, s.summary),
      kpis(s),
      s.topWords && s.topWords.length ? el("div", { class: "card" }, el("h3", {}, "Words customers use most"),
        el("ul", { class: "chips", "aria-label": "Top words" }, s.topWords.map((w) => el("li", {}, w)))) : null,
      (s.warnings || []).map((w) => el("div", { class: "notice" }, w)),
      el("div", { class: "grid2" },
        el("div", {},
          el("section", { class: "card", "aria-labelledby": "chart-title" },
            el("div", { class: "card-head" }, el("h2", { id: "chart-title" }, "Posts about " + fname + " around the spike"),
              s.timeline ? el("span", { class: "muted" }, "per " + s.timeline.step) : null),
            timelineChart(s)),
          el("section", { class: "card", "aria-labelledby": "samples-title" },
            el("div", { class: "card-head" }, el("h2", { id: "samples-title" }, "What customers wrote"),
              el("span", { class: "muted" }, sampleCountText(s.samples || []))),
            samples(s.samples || []))),
        el("div", {},
          notesCard(s),
          el("section", { class: "card", "aria-labelledby": "life-title" }, el("h2", { id: "life-title" }, "Lifecycle"), el("div", { class: "spacer" }), lifecycle(s.versions || [])),
          deliveries(s.deliveries || []))));
    $("spike-title").focus({ preventScroll: true });
  }

  function kpis(s) {
    const k = (cls, label, value, sub) => el("div", { class: "kpi " + cls }, el("div", { class: "k" }, label), el("div", { class: "v" }, value), sub ? el("div", { class: "s" }, sub) : null);
    return el("div", { class: "kpis", id: "evidence" },
      k("hot", "Negative posts", fmtNum(s.current), "in " + s.window + " · usually " + fmtNum(s.baseline)),
      k("hot", "Change", fmtPct(s.changePct), "over the usual level"),
      k("", "Negative share", fmtShare(s.negativeShare), "of posts about " + (s.featureName || s.feature)),
      k("", "Distinct authors", fmtNum(s.distinctAuthors || 0), "wrote the negative posts"),
      k("", "Reach", fmtNum(s.reach), "weighted by followers"));
  }

  // sameText groups posts whose text is the same once case, spacing,
  // links and mentions are ignored: copies and retweets show once, counted.
  const sameText = (t) => (t || "").toLowerCase().replace(/https?:\/\/\S+|@\w+/g, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();

  function sampleCountText(all) {
    const distinct = new Set(all.map((p) => sameText(p.text))).size;
    return distinct === all.length ? all.length + " sample posts" : distinct + " distinct texts in " + all.length + " sample posts";
  }

  function samples(all) {
    if (!all.length) return el("p", { class: "muted" }, "No sample posts were kept for this spike.");
    const groups = new Map();
    for (const p of all) {
      const k = sameText(p.text);
      const g = groups.get(k);
      if (g) g.copies += p.count || 1;
      else groups.set(k, { ...p, copies: p.count || 1 });
    }
    const list = [...groups.values()];
    const FIRST = 6;
    const ul = el("ul", { class: "posts", id: "samples" }, list.map((p, i) => {
      const url = safeURL(p.url || "");
      return el("li", { class: "post", hidden: i >= FIRST },
        el("blockquote", {}, p.text),
        el("div", { class: "by" },
          el("span", {}, el("strong", {}, p.author || "unknown author")),
          el("span", {}, fmtNum(p.followers) + " followers"),
          el("span", {}, fmtTime(p.time)),
          p.copies > 1 ? el("span", { class: "copies" }, "posted " + fmtNum(p.copies) + " times (same or near-identical text)") : null,
          p.inferred ? el("span", { class: "inferred", title: "No term of the feature matched this post; the fallback model (taxonomy.fallback_model) tagged it." }, "tagged by the fallback model") : null,
          url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" }, "Open post ↗") : null),
        correctControl(p, i));
    }));
    if (list.length <= FIRST) return ul;
    const more = el("button", { type: "button", class: "more", "aria-controls": "samples" }, "Show all " + list.length + " posts");
    more.addEventListener("click", () => {
      for (const li of ul.children) li.hidden = false;
      more.remove();
    });
    return el("div", {}, ul, more);
  }

  // correctControl lets a reader with a write token correct a sample's
  // sentiment label (POST /corrections). A spike's samples are negative
  // posts, so that is the label they had.
  function correctControl(p, i) {
    if (!p.id) return null;
    const id = "correct-" + i;
    const sel = el("select", { id }, ["neutral", "positive"].map((l) => el("option", { value: l }, l)));
    const btn = el("button", { type: "button" }, "Correct label");
    const status = el("span", { class: "muted", role: "status", "aria-live": "polite" });
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      status.textContent = "Saving…";
      try {
        await api("/corrections", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ postId: p.id, text: p.text, label: sel.value, previous: "negative" }),
        });
        status.textContent = "Corrected to " + sel.value + ". The model learns it at the next sentiment adapt.";
      } catch (e) {
        status.textContent = e.status === 403 ? "Correcting a label needs an API token with the write role." : "Not saved: " + e.message;
        btn.disabled = false;
      }
    });
    return el("details", { class: "correct" }, el("summary", {}, "Label wrong?"),
      el("label", { for: id }, "This post is "), sel, " ", btn, " ", status);
  }

  function timelineChart(s) {
    const tl = s.timeline;
    if (!tl || !tl.points || !tl.points.length) return el("p", { class: "muted" }, "No matrix data around this spike.");
    const pts = tl.points;
    const W = 640, H = 190, left = 40, right = 10, top = 10, bottom = 24;
    const t0 = new Date(tl.from).getTime(), t1 = new Date(tl.to).getTime();
    const x = (ms) => left + ((ms - t0) / (t1 - t0 || 1)) * (W - left - right);
    const maxV = Math.max(1, ...pts.map((p) => p.negative + p.neutral + p.positive));
    const y = (v) => top + (1 - v / maxV) * (H - top - bottom);
    const bw = Math.max(1, (W - left - right) / pts.length - 1);
    const root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "Posts per " + tl.step + " from " + fmtTime(tl.from) + " to " + fmtTime(tl.to) + "; the shaded band is the spike" });
    const s0 = x(new Date(s.startsAt).getTime()), s1 = x(s.endsAt ? new Date(s.endsAt).getTime() : Math.min(Date.now(), t1));
    root.append(svg("rect", { class: "spike-span", x: s0, y: top, width: Math.max(2, s1 - s0), height: H - top - bottom }));
    root.append(svg("line", { class: "spike-edge", x1: s0, x2: s0, y1: top, y2: H - bottom }));
    const stepMs = pts.length > 1 ? new Date(pts[1].start) - new Date(pts[0].start) : (t1 - t0) / Math.max(1, pts.length);
    for (const p of pts) {
      const start = new Date(p.start).getTime();
      const xx = x(start);
      // The current bucket is still filling: drawn faint and labelled, so it
      // does not read as a drop.
      const partial = start + stepMs > Date.now();
      const g = svg("g", partial ? { class: "partial" } : {}, partial ? svg("title", {}, "this " + tl.step + " is still filling") : null);
      let base = 0;
      for (const [cls, v] of [["neg", p.negative], ["neu", p.neutral], ["pos", p.positive]]) {
        if (!v) continue;
        g.append(svg("rect", { class: cls, x: xx, y: y(base + v), width: bw, height: y(base) - y(base + v) }));
        base += v;
      }
      root.append(g);
    }
    for (const v of [0, maxV / 2, maxV]) {
      root.append(svg("text", { class: "axis", x: left - 6, y: y(v) + 3, "text-anchor": "end" }, fmtNum(v)));
    }
    for (const tk of niceTicks(t0, t1).filter((_, i, a) => a.length <= 6 || i % 2 === 0)) {
      const xx = x(tk);
      root.append(svg("text", { class: "axis", x: xx, y: H - 6, "text-anchor": xx > W - 40 ? "end" : xx < left + 30 ? "start" : "middle" }, tf.format(new Date(tk))));
    }
    return el("div", { class: "chart", id: "spike-chart" }, root,
      el("ul", { class: "chart-legend" },
        el("li", {}, el("span", { class: "sw neg" }), " negative"),
        el("li", {}, el("span", { class: "sw neu" }), " neutral"),
        el("li", {}, el("span", { class: "sw pos" }), " positive"),
        el("li", {}, el("span", { class: "sw span" }), " the spike"),
        el("li", { class: "muted" }, "times in " + tzName)));
  }

  function lifecycle(versions) {
    if (!versions.length) return el("p", { class: "muted" }, "No versions recorded.");
    return el("ol", { class: "steps", id: "versions" }, versions.map((v) =>
      el("li", { class: v.state },
        el("div", {}, badge(v.priority), " ", el("strong", {}, v.sequence === 1 ? "Raised" : v.state === "resolved" ? "Resolved" : "Updated"),
          " · " + fmtNum(v.current) + " negative posts (usually " + fmtNum(v.baseline) + ", " + fmtPct(v.changePct) + ")"),
        el("div", { class: "when" }, fmtTime(v.updatedAt) + " · version " + v.sequence))));
  }

  function deliveries(list) {
    const body = list.length ? el("div", { class: "table-wrap" }, el("table", { class: "small", id: "deliveries" },
      el("thead", {}, el("tr", {}, ["Sent to", "Version", "Status", "Tries", "When"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, list.map((d) => el("tr", {},
        el("td", {}, d.receiver), el("td", {}, String(d.sequence)),
        el("td", { title: d.lastError || "" }, d.state + (d.lastError ? " (" + clip(d.lastError, 60) + ")" : "")),
        el("td", {}, String(d.attempts)), el("td", {}, fmtTime(d.updatedAt)))))))
      : el("p", { class: "muted" }, "No notifications were sent for this spike.");
    return el("section", { class: "card", "aria-labelledby": "deliv-title" }, el("h2", { id: "deliv-title" }, "Notifications"), el("div", { class: "spacer" }), body);
  }

  function noteItem(n) {
    return el("li", { class: "note" }, el("p", {}, n.text), el("div", { class: "by" }, (n.author || "anonymous") + " · " + fmtTime(n.time)));
  }

  function notesCard(s) {
    const list = el("ul", { class: "notes", id: "notes" }, (s.notes || []).map(noteItem));
    const empty = el("p", { class: "muted", id: "notes-empty" }, "No notes yet. Add what was done, e.g. “statement posted 14:05” or “fix deployed”.");
    empty.hidden = (s.notes || []).length > 0;
    const msg = el("div", { class: "error", role: "alert", id: "note-error", hidden: true });
    const text = el("textarea", { id: "note-text", name: "text", maxlength: 2000, required: true });
    const author = el("input", { id: "note-author", name: "author", maxlength: 64, autocomplete: "name", placeholder: "optional" });
    const submit = el("button", { type: "submit", class: "primary" }, "Add note");
    const status = el("span", { class: "muted", role: "status", "aria-live": "polite" });
    const form = el("form", { class: "note-form", id: "note-form", "aria-label": "Add a note" },
      el("div", { class: "field" }, el("label", { for: "note-text" }, "New note"), text),
      el("div", { class: "field" }, el("label", { for: "note-author" }, "Your name"), author),
      msg,
      el("div", { class: "actions" }, submit, status));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      show(msg, "");
      if (!text.value.trim()) {
        show(msg, "Write something first.");
        return;
      }
      submit.disabled = true;
      status.textContent = "Saving…";
      try {
        const r = await api("/spikes/" + encodeURIComponent(s.id) + "/notes", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ text: text.value, author: author.value.trim() }),
        });
        list.append(noteItem(r.note));
        empty.hidden = true;
        text.value = "";
        status.textContent = "Note added.";
      } catch (e) {
        status.textContent = "";
        if (e.status === 403) show(msg, "Your API token can read spikes but not add notes: it needs the write role. Ask your administrator for a token with the write role.");
        else show(msg, "The note was not saved: " + e.message);
      } finally {
        submit.disabled = false;
      }
    });
    return el("section", { class: "card", "aria-labelledby": "notes-title" },
      el("h2", { id: "notes-title" }, "Notes"), el("div", { class: "spacer" }), list, empty, form);
  }

  // ---------------------------------------------------------------- live matrix

  function stopLive() {
    clearTimeout(state.liveTimer);
    state.liveTimer = null;
  }

  async function loadWindows() {
    if (state.windows) return;
    const info = await api("/matrix/windows");
    const ws = info.windows;
    state.windows = ws && ws.length ? ws : ["5m", "15m", "1h", "24h"];
    // The page opens on the API's own default, so both show the same window.
    state.window = state.windows.includes(info.default) ? info.default : state.windows[0];
    const box = $("windows");
    box.replaceChildren(...state.windows.map((w) => el("button", {
      type: "button", "data-window": w, "aria-pressed": String(w === state.window),
      onclick: () => {
        state.window = w;
        for (const b of box.children) b.setAttribute("aria-pressed", String(b.dataset.window === w));
        startLive();
      },
    }, w)));
  }

  async function startLive() {
    stopLive();
    show($("live-error"), "");
    try {
      await loadWindows();
      await Promise.all([refreshMatrix(), refreshEmerging()]);
    } catch (e) {
      show($("live-error"), "Could not load the matrix: " + e.message);
    }
    if (route().view === "live") state.liveTimer = setTimeout(startLive, REFRESH_MS);
  }

  async function refreshMatrix() {
    const r = await api("/matrix?window=" + encodeURIComponent(state.window));
    const rows = (r.matrix && r.matrix.rows) || [];
    const byId = Object.fromEntries(rows.map((x) => [x.feature, x]));
    const cls = (row, c) => (row.classes && row.classes[c] && row.classes[c].count) || 0;
    // the most complained-about features first
    const ids = rows.map((x) => x.feature).sort((a, b) => cls(byId[b], "negative") - cls(byId[a], "negative") || a.localeCompare(b));
    const firing = new Set();
    try {
      const f = await api("/spikes?state=firing&limit=100");
      for (const sp of f.spikes || []) firing.add(sp.feature);
    } catch (_) {
      // the heatmap is still useful without the markers
    }
    const max = { negative: 1, neutral: 1, positive: 1 };
    for (const id of ids) for (const c of Object.keys(max)) max[c] = Math.max(max[c], cls(byId[id], c));
    const tb = document.querySelector("#heatmap tbody");
    tb.replaceChildren();
    if (!ids.length) tb.append(el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No posts in the last " + state.window + ".")));
    for (const id of ids) {
      const row = byId[id];
      const tr = el("tr", { "data-feature": id },
        el("th", { scope: "row" }, featureName(id),
          firing.has(id) ? el("a", { class: "spike-tag", href: "#/?feature=" + encodeURIComponent(id) + "&state=firing" }, "spike ongoing") : null,
          el("span", { class: "id" }, id)));
      for (const c of ["negative", "neutral", "positive"]) {
        const v = cls(row, c);
        const td = el("td", { class: "cell " + c + (v ? "" : " zero"), title: fmtNum(v) + " " + c + " posts about " + featureName(id) }, fmtNum(v));
        heat(td, c, v / max[c]);
        tr.append(td);
      }
      tr.append(el("td", { class: "num" }, fmtNum(row.total)));
      const share = row.negativeShare || 0;
      const fill = el("div", { class: "fill" });
      fill.style.width = Math.round(share * 100) + "%";
      tr.append(el("td", {}, el("div", { class: "share", role: "img", "aria-label": fmtShare(share) + " negative" },
        el("div", { class: "track" }, fill), el("span", { class: "pct" }, fmtShare(share)))));
      tb.append(tr);
    }
    $("heatmap").dataset.window = state.window; // which window the rows show
    $("hm-updated").textContent = "Updated " + new Date().toLocaleTimeString();
  }

  // heat colours a cell: white to the class's colour by intensity f in
  // [0, 1], with text dark or white to keep contrast.
  function heat(td, cls, f) {
    const rgb = { negative: [192, 38, 45], neutral: [95, 108, 128], positive: [30, 122, 70] }[cls];
    const a = f > 0 ? 0.08 + 0.92 * Math.sqrt(f) : 0;
    const mix = rgb.map((c) => Math.round(255 + (c - 255) * a));
    td.style.backgroundColor = "rgb(" + mix.join(",") + ")";
    td.style.color = a > 0.55 ? "#fff" : "#1b2330";
  }

  async function refreshEmerging() {
    const box = $("emerging");
    let r;
    try {
      r = await api("/emerging?limit=12");
    } catch (e) {
      box.replaceChildren(el("p", { class: "muted" }, e.status === 404 ? "Emerging terms are turned off on this server." : "Could not load emerging terms: " + e.message));
      return;
    }
    const terms = r.terms || [];
    if (!terms.length) {
      box.replaceChildren(el("p", { class: "muted" }, "Nothing unusual in the last " + r.window + "."));
      return;
    }
    box.replaceChildren(el("ul", { class: "terms" }, terms.map((t) => el("li", { class: "term" },
      el("div", { class: "t" }, t.text),
      el("div", { class: "n" }, fmtNum(t.count) + " posts · " + (Math.round(t.growth * 10) / 10) + "× usual"),
      t.samples && t.samples[0] ? el("q", {}, clip(t.samples[0], 160)) : null))));
  }

  // ---------------------------------------------------------------- wiring

  function init() {
    authState();
    $("signout").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      authState();
      render();
    });
    $("filters").addEventListener("submit", (ev) => {
      ev.preventDefault();
      state.cursors = [""];
      const q = filtersFromForm().toString();
      const h = "#/" + (q ? "?" + q : "");
      if (location.hash === h) render();
      else location.hash = h;
    });
    $("f-reset").addEventListener("click", () => {
      state.cursors = [""];
      $("filters").reset();
      if (location.hash === "#/" || location.hash === "") render();
      else location.hash = "#/";
    });
    $("next").addEventListener("click", () => {
      if (!state.next) return;
      state.cursors.push(state.next);
      showList();
    });
    $("prev").addEventListener("click", () => {
      if (state.cursors.length <= 1) return;
      state.cursors.pop();
      showList();
    });
    $("export").addEventListener("click", exportCSV);
    window.addEventListener("hashchange", () => {
      if (route().view === "spikes") state.cursors = [""];
      render();
    });
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && route().view === "live" && !state.liveTimer) startLive();
    });
    render();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
