/** @module The control panel's one page: plain HTML, CSS and JS (no framework), composed and compressed on first use. */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

/** A page body ready to send: plain and gzip-compressed, with an ETag. */
export interface PageAsset {
  html: string;
  gzip: Buffer;
  etag: string;
}

const CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--mute:#667085;--line:#e4e7ec;--ok:#12b76a;--warn:#f79009;--bad:#f04438;--acc:#2e6be6;--canary:#9b51e0}
*{box-sizing:border-box}body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;gap:16px;align-items:center;padding:10px 18px;background:#111827;color:#f9fafb;position:sticky;top:0;z-index:1}
header h1{font-size:15px;margin:0}header .k{color:#9ca3af;margin-right:4px}header .grow{flex:1}
header button{background:none;border:1px solid #4b5563;color:#e5e7eb;border-radius:4px;padding:3px 10px;cursor:pointer}
#live{width:9px;height:9px;border-radius:50%;background:var(--mute);display:inline-block}#live.on{background:var(--ok)}#live.stale{background:var(--bad)}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:14px;padding:14px 18px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;min-width:0}
section h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--mute);margin:0 0 8px}
.route{border-top:1px solid var(--line);padding:8px 0}.route:first-of-type{border-top:0;padding-top:0}
.rhead{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}.rhead b{font-size:14px}.mute{color:var(--mute)}
.member{display:grid;grid-template-columns:150px 1fr 48px 70px;gap:8px;align-items:center;margin:3px 0}
.bar{height:9px;background:#eef0f3;border-radius:5px;position:relative;overflow:hidden}
.bar i{position:absolute;left:0;top:0;bottom:0;background:var(--acc);border-radius:5px}
.bar u{position:absolute;top:-2px;bottom:-2px;width:2px;background:var(--ink);opacity:.45}
.canary .bar i{background:var(--canary)}.fallback .bar i{background:var(--warn)}
.badge{display:inline-block;padding:0 6px;border-radius:9px;font-size:11px;border:1px solid var(--line)}
.b-closed{color:var(--ok)}.b-open{color:#fff;background:var(--bad);border-color:var(--bad)}.b-half-open{color:#fff;background:var(--warn);border-color:var(--warn)}
.reasons{margin:4px 0 0;color:var(--mute)}
table{width:100%;border-collapse:collapse}th,td{text-align:right;padding:4px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{color:var(--mute);font-weight:500;font-size:12px}
.meter{width:110px;display:inline-block;vertical-align:middle}.over{color:var(--bad);font-weight:600}
.side{display:flex;flex-direction:column;gap:14px;min-width:0}code{font:12px ui-monospace,Menlo,monospace}
.active{font-weight:600}
`;

const JS = `
"use strict";
const $=(s)=>document.querySelector(s);
function h(tag,attrs,...kids){const e=document.createElement(tag);for(const[k,v]of Object.entries(attrs||{})){if(v===undefined||v===null)continue;if(k==="class")e.className=v;else e.setAttribute(k,String(v))}for(const c of kids.flat()){if(c===undefined||c===null)continue;e.append(c instanceof Node?c:document.createTextNode(String(c)))}return e}
const pct=(x)=>(x*100).toFixed(x>0&&x<0.1?1:0)+"%";
const usd=(x)=>x===undefined||x===null?"–":"$"+(Math.abs(x)>=100?x.toFixed(0):x.toFixed(Math.abs(x)>=1?2:4));
const ms=(x)=>x===undefined||x===null?"–":Math.round(x)+" ms";
const badge=(s)=>h("span",{class:"badge b-"+s,"data-breaker":s},s);
function bar(live,planned){const b=h("div",{class:"bar"},h("i",{style:"width:"+Math.min(100,live*100)+"%"}));if(planned!==undefined&&planned!==null)b.append(h("u",{style:"left:"+Math.min(99.5,planned*100)+"%",title:"configured "+pct(planned)}));return b}
function routes(s){return s.routes.map((r)=>h("div",{class:"route","data-route":r.id},
 h("div",{class:"rhead"},h("b",{},r.id),h("span",{class:"mute"},"→ "+r.target+(r.strategy?" ("+r.strategy+")":"")),
  r.fallback.length?h("span",{class:"mute"},"fallback: "+r.fallback.join(" → ")):null,
  h("span",{class:"grow"}),h("span",{"data-field":"requests"},r.requests+" req"),
  h("span",{"data-field":"fallback-rate"},"fallback "+pct(r.fallbackRate)),h("span",{"data-field":"error-rate"},"errors "+pct(r.errorRate))),
 r.canary?h("div",{class:"mute","data-field":"canary"},"canary "+r.canary.model+": "+r.canary.percent+"% "+(r.canary.step<0?"(rolled back"+(r.canary.reason?": "+r.canary.reason:"")+")":"(step "+(r.canary.step+1)+" of "+r.canary.steps.join("/")+")")+", live "+pct(r.canary.liveShare)):null,
 r.members.map((m)=>h("div",{class:"member "+m.role,"data-model":m.model,"data-share":m.liveShare.toFixed(4),"data-answered":m.answered},
  h("span",{},m.model,h("span",{class:"mute"}," "+(m.role==="primary"?"":m.role+(m.step?" "+m.step:"")))),
  bar(m.liveShare,m.configuredShare),h("span",{"data-field":"share"},pct(m.liveShare)),badge(m.breaker))),
 r.topFallbackReasons.length?h("div",{class:"reasons","data-field":"reasons"},"top fallback reasons: "+r.topFallbackReasons.map((x)=>x.reason+" ×"+x.count).join(", ")):null))}
function teams(s){return h("table",{},h("tr",{},h("th",{},"team"),h("th",{},"spent"),h("th",{},"budget"),h("th",{},""),h("th",{},"forecast"),h("th",{},"rpm left"),h("th",{},"req")),
 s.teams.map((t)=>h("tr",{"data-team":t.id,"data-spent":t.spentUsd,"data-source":t.source},h("td",{},t.id,h("span",{class:"mute"},t.period?" /"+t.period:"")),
  h("td",{"data-field":"spent"},usd(t.spentUsd)),h("td",{"data-field":"limit"},usd(t.limitUsd)),
  h("td",{},t.usedRatio===undefined||t.usedRatio===null?"":h("span",{class:"meter"},bar(Math.min(1,t.usedRatio),(t.forecastRatio!==undefined&&t.forecastRatio!==null)?Math.min(1,t.forecastRatio):undefined))),
  h("td",{"data-field":"forecast",class:t.forecastRatio>1?"over":""},usd(t.forecastUsd)),h("td",{"data-field":"rpm"},t.limits&&t.limits.rpm?t.limits.rpm.remaining+"/"+t.limits.rpm.capacity:"–"),h("td",{},t.requests))))}
function models(s){return h("table",{},h("tr",{},h("th",{},"model"),h("th",{},"p50"),h("th",{},"p95"),h("th",{},"errors"),h("th",{},"attempts"),h("th",{},"breaker")),
 s.models.map((m)=>h("tr",{"data-model":m.id,"data-breaker":m.breaker},h("td",{},m.id,h("span",{class:"mute"}," "+m.provider+(m.region?"/"+m.region:""))),
  h("td",{},ms(m.p50Ms)),h("td",{},ms(m.p95Ms)),h("td",{"data-field":"error-rate",class:m.errorRate>0.05?"over":""},pct(m.errorRate)),h("td",{},m.attempts),h("td",{},badge(m.breaker)))))}
function releases(s){return h("table",{},s.releases.map((r)=>h("tr",{class:r.active?"active":"","data-release":r.hash},h("td",{},h("code",{},r.hash.slice(0,12))),h("td",{},r.active?"active":""),h("td",{class:"mute"},r.at?new Date(r.at).toLocaleString():""))))}
function render(s){
 $("#env").textContent=s.environment;$("#release").textContent=s.release.hash.slice(0,12);
 $("#totals").textContent=s.totals.requests+" req · errors "+pct(s.totals.errorRate)+" · fallback "+pct(s.totals.fallbackRate)+" · "+usd(s.totals.costUsd)+" in the last "+Math.round(s.windowMs/60000)+" min";
 $("#routes").replaceChildren(...routes(s));$("#teams").replaceChildren(teams(s));$("#models").replaceChildren(models(s));$("#releases").replaceChildren(releases(s));
 $("#updated").textContent=new Date(s.generatedAt).toLocaleTimeString();document.body.dataset.generated=s.generatedAt;}
let timer;
async function tick(){try{const r=await fetch("/dashboard/api/snapshot",{credentials:"same-origin",cache:"no-store"});if(r.status===401){location.reload();return}if(!r.ok)throw new Error(String(r.status));render(await r.json());$("#live").className="on"}catch{$("#live").className="stale"}finally{timer=setTimeout(tick,POLL_MS)}}
tick();
`;

function pageHtml(pollMs: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Switchyard control panel</title><link rel="icon" href="data:,"><style>${CSS}</style></head><body>
<header><h1>Switchyard</h1><span><span class="k">env</span><b id="env">…</b></span><span><span class="k">release</span><code id="release">…</code></span><span id="totals" class="grow"></span><span id="live" title="live updates"></span><span id="updated"></span><form method="post" action="/dashboard/logout"><button>Sign out</button></form></header>
<main><section><h2>Route map · live split</h2><div id="routes">Loading…</div></section>
<div class="side"><section><h2>Team spend vs budget · forecast at period end</h2><div id="teams"></div></section>
<section><h2>Models · latency, errors, breakers</h2><div id="models"></div></section>
<section><h2>Releases</h2><div id="releases"></div></section></div></main>
<script>const POLL_MS=${pollMs};${JS}</script></body></html>`;
}

const LOGIN_CSS = "body{font:14px system-ui,sans-serif;background:#111827;color:#f9fafb;display:grid;place-items:center;height:100vh;margin:0}form{background:#1f2937;padding:24px;border-radius:8px;display:grid;gap:10px;width:320px}input,button{font:inherit;padding:7px;border-radius:4px;border:1px solid #4b5563}button{background:#2e6be6;color:#fff;border:0;cursor:pointer}.err{color:#fda29b}";

/** The sign-in form shown (with status 401) to a browser without a session. `problem` is shown above the field. */
export function loginPage(problem?: string): string {
  const note = problem === undefined ? "" : `<p class="err" role="alert">${escapeHtml(problem)}</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchyard · sign in</title><link rel="icon" href="data:,"><style>${LOGIN_CSS}</style></head><body><form method="post" action="/dashboard/login"><h1>Switchyard control panel</h1>${note}<input type="text" name="username" value="admin" autocomplete="username" hidden><label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus><button type="submit">Sign in</button></form></body></html>`;
}

const built = new Map<number, PageAsset>();

/** The control panel page for a polling interval, composed and gzipped on first request only. */
export function dashboardPage(pollMs: number): PageAsset {
  let asset = built.get(pollMs);
  if (asset === undefined) {
    const html = pageHtml(pollMs);
    asset = { html, gzip: gzipSync(html), etag: `"${createHash("sha256").update(html).digest("base64url").slice(0, 16)}"` };
    built.set(pollMs, asset);
  }
  return asset;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
