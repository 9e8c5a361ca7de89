// The control panel's script (plain JS, no framework): polls /dashboard/api/snapshot every 1.5 s and re-renders with DOM nodes (text, never HTML).
"use strict";
const $ = (s) => document.querySelector(s);
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === void 0 || v === null) continue;
    if (k === "class") e.className = v;
    else e.setAttribute(k, String(v));
  }
  for (const c of kids.flat()) {
    if (c === void 0 || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const pct = (x) => (x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0) + "%";
const usd = (x) => x === void 0 || x === null ? "\u2013" : "$" + (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(Math.abs(x) >= 1 ? 2 : 4));
const ms = (x) => x === void 0 || x === null ? "\u2013" : Math.round(x) + " ms";
const badge = (s) => h("span", { class: "badge b-" + s, "data-breaker": s }, s);
function bar(live, planned) {
  const b = h("div", { class: "bar" }, h("i", { style: "width:" + Math.min(100, live * 100) + "%" }));
  if (planned !== void 0 && planned !== null) b.append(h("u", { style: "left:" + Math.min(99.5, planned * 100) + "%", title: "configured " + pct(planned) }));
  return b;
}
function routes(s) {
  return s.routes.map((r) => h(
    "div",
    { class: "route", "data-route": r.id },
    h(
      "div",
      { class: "rhead" },
      h("b", {}, r.id),
      h("span", { class: "mute" }, "\u2192 " + r.target + (r.strategy ? " (" + r.strategy + ")" : "")),
      r.fallback.length ? h("span", { class: "mute" }, "fallback: " + r.fallback.join(" \u2192 ")) : null,
      h("span", { class: "grow" }),
      h("span", { "data-field": "requests" }, r.requests + " req"),
      h("span", { "data-field": "fallback-rate" }, "fallback " + pct(r.fallbackRate)),
      h("span", { "data-field": "error-rate" }, "errors " + pct(r.errorRate))
    ),
    r.cache ? h("div", { class: "mute", "data-field": "cache", "data-hit-ratio": r.cache.hitRatio.toFixed(4), "data-saved": r.cache.savedUsd }, "cache" + (r.cache.scope ? " (per " + r.cache.scope + ", " + (r.cache.ttlMs % 6e4 ? Math.round(r.cache.ttlMs / 1e3) + " s" : r.cache.ttlMs / 6e4 + " min") + ")" : "") + ": " + pct(r.cache.hitRatio) + " hits \xB7 " + r.cache.hits + " hit, " + r.cache.misses + " miss, " + r.cache.bypass + " bypass \xB7 " + usd(r.cache.savedUsd) + " saved") : null,
    r.canary ? h("div", { class: "mute", "data-field": "canary" }, "canary " + r.canary.model + ": " + r.canary.percent + "% " + (r.canary.step < 0 ? "(rolled back)" : "(step " + (r.canary.step + 1) + " of " + r.canary.steps.join("/") + ")") + ", live " + pct(r.canary.liveShare) + (r.canary.reason ? " \u2014 " + r.canary.reason : "")) : null,
    r.members.map((m) => h(
      "div",
      { class: "member " + m.role, "data-model": m.model, "data-share": m.liveShare.toFixed(4), "data-answered": m.answered },
      h("span", {}, m.model, h("span", { class: "mute" }, " " + (m.role === "primary" ? "" : m.role + (m.step ? " " + m.step : "")))),
      bar(m.liveShare, m.configuredShare),
      h("span", { "data-field": "share" }, pct(m.liveShare)),
      badge(m.breaker)
    )),
    r.topFallbackReasons.length ? h("div", { class: "reasons", "data-field": "reasons" }, "top fallback reasons: " + r.topFallbackReasons.map((x) => x.reason + " \xD7" + x.count).join(", ")) : null
  ));
}
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...kids) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  e.append(...kids);
  return e;
}
// One series as an inline SVG sparkline (null: nothing in that minute, the line breaks there).
function spark(name, values, fmt) {
  const nums = values.filter((v) => v !== null), max = Math.max(0, ...nums);
  const runs = [[]];
  values.forEach((v, i) => (v === null ? runs.push([]) : runs[runs.length - 1].push(i * 2 + "," + (25 - (max ? (v / max) * 24 : 0)).toFixed(1))));
  return h(
    "span",
    { class: "spark", "data-series": name, "data-max": max, "data-sum": nums.reduce((a, b) => a + b, 0), "data-points": values.length },
    name,
    svg("svg", { width: 120, height: 26, viewBox: "0 0 " + (values.length * 2 - 2) + " 26", preserveAspectRatio: "none" }, svg("title", {}, name + " per minute, max " + fmt(max)), ...runs.filter((r) => r.length).map((r) => svg("polyline", { points: r.join(" ") }))),
    fmt(max)
  );
}
function charts(s) {
  const se = s.series, n = (v) => String(Math.round(v));
  if (!se) return [];
  return [
    ...Object.entries(se.routes).map(([id, r]) => h("div", { class: "chart", "data-chart-route": id }, h("b", {}, id), spark("requests", r.requests, n), spark("errors", r.errors, n), spark("fallbacks", r.fallbacks, n), spark("p95", r.p95Ms, ms), spark("spend", r.costUsd, usd))),
    ...Object.entries(se.teams).map(([id, t]) => h("div", { class: "chart", "data-chart-team": id }, h("b", {}, "team " + id), spark("spend", t.costUsd, usd)))
  ];
}
function teams(s) {
  return h(
    "table",
    {},
    h("tr", {}, h("th", {}, "team"), h("th", {}, "spent"), h("th", {}, "budget"), h("th", {}, ""), h("th", {}, "forecast"), h("th", {}, "rpm left"), h("th", {}, "req")),
    s.teams.map((t) => h(
      "tr",
      { "data-team": t.id, "data-spent": t.spentUsd, "data-source": t.source },
      h("td", {}, t.id, h("span", { class: "mute" }, t.period ? " /" + t.period : "")),
      h("td", { "data-field": "spent" }, usd(t.spentUsd)),
      h("td", { "data-field": "limit" }, usd(t.limitUsd)),
      h("td", {}, t.usedRatio === void 0 || t.usedRatio === null ? "" : h("span", { class: "meter" }, bar(Math.min(1, t.usedRatio), t.forecastRatio !== void 0 && t.forecastRatio !== null ? Math.min(1, t.forecastRatio) : void 0))),
      h("td", { "data-field": "forecast", class: t.forecastRatio > 1 ? "over" : "" }, usd(t.forecastUsd)),
      h("td", { "data-field": "rpm" }, t.limits && t.limits.rpm ? t.limits.rpm.remaining + "/" + t.limits.rpm.capacity : "\u2013"),
      h("td", {}, t.requests)
    ))
  );
}
function models(s) {
  return h(
    "table",
    {},
    h("tr", {}, h("th", {}, "model"), h("th", {}, "p50"), h("th", {}, "p95"), h("th", {}, "errors"), h("th", {}, "attempts"), h("th", {}, "breaker")),
    s.models.map((m) => h(
      "tr",
      { "data-model": m.id, "data-breaker": m.breaker },
      h("td", {}, m.id, h("span", { class: "mute" }, " " + m.provider + (m.region ? "/" + m.region : ""))),
      h("td", {}, ms(m.p50Ms)),
      h("td", {}, ms(m.p95Ms)),
      h("td", { "data-field": "error-rate", class: m.errorRate > 0.05 ? "over" : "" }, pct(m.errorRate)),
      h("td", {}, m.attempts),
      h("td", {}, badge(m.breaker))
    ))
  );
}
function releases(s) {
  return h("table", {}, s.releases.map((r) => h("tr", { class: r.active ? "active" : "", "data-release": r.hash }, h("td", {}, h("code", {}, r.hash.slice(0, 12))), h("td", {}, r.active ? "active" : ""), h("td", { class: "mute" }, r.at ? new Date(r.at).toLocaleString() : ""))));
}
function render(s) {
  $("#env").textContent = s.environment;
  $("#release").textContent = s.release.hash.slice(0, 12);
  $("#totals").textContent = s.totals.requests + " req \xB7 errors " + pct(s.totals.errorRate) + " \xB7 fallback " + pct(s.totals.fallbackRate) + " \xB7 " + usd(s.totals.costUsd) + (s.totals.savedUsd > 0 ? " (" + usd(s.totals.savedUsd) + " saved by the cache)" : "") + " in the last " + Math.round(s.windowMs / 6e4) + " min";
  $("#routes").replaceChildren(...routes(s));
  $("#charts").replaceChildren(...charts(s));
  $("#teams").replaceChildren(teams(s));
  $("#models").replaceChildren(models(s));
  $("#releases").replaceChildren(releases(s));
  $("#updated").textContent = new Date(s.generatedAt).toLocaleTimeString();
  document.body.dataset.generated = s.generatedAt;
}
let timer;
async function tick() {
  try {
    const r = await fetch("/dashboard/api/snapshot", { credentials: "same-origin", cache: "no-store" });
    if (r.status === 401) {
      location.reload();
      return;
    }
    if (!r.ok) throw new Error(String(r.status));
    render(await r.json());
    $("#live").className = "on";
  } catch {
    $("#live").className = "stale";
  } finally {
    timer = setTimeout(() => void tick(), 1500);
  }
}
void tick(); // it catches its own failures
