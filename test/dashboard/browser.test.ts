/**
 * @module The control panel in a real browser (playwright-core driving Debian's Chromium): it renders
 * the live split, spend and breaker state that /metrics and /admin/state report while traffic runs,
 * updates without reloading, leaves a screenshot in .tmp/artifacts/, and refuses access without the
 * admin token.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStateStores, type RunningRouter } from "@switchyard/router";
import { ARTIFACTS_DIR, type HeadlessChromium, launchChromium } from "../helpers/chromium.ts";
import { releaseOf } from "../helpers/release.ts";
import { startTestRouter } from "../helpers/router.ts";

const TOKEN = "dashboard-browser-admin-token";
const APP_KEY = "app-team-key";
const OTHER_KEY = "other-team-key";

const release = releaseOf({
  providers: {
    good: { kind: "mock", region: "us", mock: { ttftMs: 3 } },
    flaky: { kind: "mock", region: "eu", mock: { failRate: 1, failStatus: 503 } },
    backup: { kind: "mock", region: "eu", mock: { ttftMs: 6 } },
  },
  models: {
    "fast-a": { provider: "good", name: "fast-a-1", context: 8_000, price: { input: 1, output: 2 } },
    "fast-b": { provider: "good", name: "fast-b-1", context: 8_000, price: { input: 1, output: 2 } },
    "fast-next": { provider: "good", name: "fast-next-1", context: 8_000, price: { input: 2, output: 4 } },
    broken: { provider: "flaky", name: "broken-1", context: 8_000, price: { input: 3, output: 6 } },
    "backup-m": { provider: "backup", name: "backup-1", context: 8_000, price: { input: 0.5, output: 1 } },
  },
  tiers: {
    fast: {
      models: [
        { model: "fast-a", weight: 3 },
        { model: "fast-b", weight: 1 },
      ],
      strategy: "weighted",
    },
  },
  routes: {
    chat: { tier: "fast", fallback: [{ model: "backup-m" }], canary: { model: "fast-next", steps: [20, 50, 100], everyMs: 3_600_000 } },
    risky: { model: "broken", fallback: [{ model: "backup-m" }] },
    faq: { model: "fast-a", cache: { ttlMs: 600_000, scope: "team" } },
  },
  teams: {
    app: { keys: [{ secret: "APP_KEY" }], routes: ["chat", "risky", "faq"], budget: { usd: 5, per: "month" } },
    other: { keys: [{ secret: "OTHER_KEY" }], routes: ["chat"] },
  },
});

/** Prometheus text → samples (enough of the format for our own counters and gauges). */
function parseMetrics(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] ?? ""] = l[2] ?? "";
    out.push({ name: m[1] ?? "", labels, value: Number(m[3]) });
  }
  return out;
}

function sum(samples: ReturnType<typeof parseMetrics>, name: string, where: Record<string, string>): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

/** The page's own formatting, so a rendered string can be compared with a figure from /metrics. */
const pct = (x: number): string => `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;
const usd = (x: number): string => `$${Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(Math.abs(x) >= 1 ? 2 : 4)}`;

async function send(client: OpenAI, route: string, count: number, concurrency: number, label: string): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await client.chat.completions.create({ model: route, messages: [{ role: "user", content: `${label} ${i}` }], user: `${label}-${i}` });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Rendered requests of a route (from its header line). */
async function renderedRequests(page: Page, route: string): Promise<number> {
  const text = await page.locator(`[data-route="${route}"] [data-field="requests"]`).textContent();
  return Number.parseInt(text ?? "0", 10);
}

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/dashboard`);
  await page.fill("#token", TOKEN);
  await Promise.all([page.waitForURL(`${url}/dashboard`), page.click("button[type=submit]")]);
  await page.waitForSelector('[data-route="chat"]');
}

describe("the dashboard in Chromium", () => {
  let router: RunningRouter;
  let chromium: HeadlessChromium;

  beforeAll(async () => {
    chromium = await launchChromium();
    router = await startTestRouter(release, {
      env: { SWITCHYARD_ADMIN_TOKEN: TOKEN, APP_KEY, OTHER_KEY },
      // A long cooldown keeps the forced-open breaker open for the whole test, however slow the machine.
      state: createMemoryStateStores({ breaker: { cooldownMs: 600_000 } }),
      rng: Math.random,
    });
  }, 300_000);

  afterAll(async () => {
    await chromium?.close();
    await router?.close();
  });

  it("renders the live split, spend and breaker state that /metrics and /admin/state report, live, and saves a screenshot", async (context) => {
    const browserContext = await chromium.newContext();
    const page = await browserContext.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await signIn(page, router.url);
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });

    const app = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: APP_KEY, maxRetries: 0 });
    const other = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: OTHER_KEY, maxRetries: 0 });

    // Phase 1, then the page must show it without a reload; phase 2 runs while the page is open.
    await send(app, "chat", 60, 4, "one");
    await expect.poll(() => renderedRequests(page, "chat"), { timeout: 15_000, interval: 200 }).toBe(60);
    await Promise.all([send(app, "chat", 100, 4, "two"), send(other, "chat", 40, 2, "three"), send(app, "risky", 30, 1, "four")]);
    await expect.poll(() => renderedRequests(page, "chat"), { timeout: 15_000, interval: 200 }).toBe(200);
    await expect.poll(() => renderedRequests(page, "risky"), { timeout: 15_000, interval: 200 }).toBe(30);
    expect(navigations).toBe(0);

    const metrics = parseMetrics(await (await fetch(`${router.url}/metrics`)).text());
    const stateResponse = await fetch(`${router.url}/admin/state`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(stateResponse.status).toBe(200);
    const state = (await stateResponse.json()) as {
      breakers: Record<string, { status: string }>;
      canaries: Record<string, { percent: number }>;
      budgets?: Record<string, { spentUsd: number }>;
    };

    // Split: each chat member's rendered share is its share of the route's answered requests in /metrics.
    const answered = sum(metrics, "switchyard_requests_total", { route: "chat", status: "200" });
    expect(answered).toBe(200);
    for (const model of ["fast-a", "fast-b", "fast-next", "backup-m"]) {
      const share = sum(metrics, "switchyard_requests_total", { route: "chat", model, status: "200" }) / answered;
      const member = page.locator(`[data-route="chat"] .member[data-model="${model}"]`);
      expect(Number(await member.getAttribute("data-share")), model).toBeCloseTo(share, 4);
      expect(await member.locator('[data-field="share"]').textContent(), model).toBe(pct(share));
    }
    // the weighted tier and the 20 % canary actually split the traffic
    expect(Number(await page.locator('[data-route="chat"] .member[data-model="fast-a"]').getAttribute("data-share"))).toBeGreaterThan(0.35);
    expect(Number(await page.locator('[data-route="chat"] .member[data-model="fast-next"]').getAttribute("data-share"))).toBeGreaterThan(0.05);
    expect(sum(metrics, "switchyard_canary_percent", { route: "chat" })).toBe(20);
    expect(state.canaries["chat"]?.percent).toBe(20);
    expect(await page.locator('[data-route="chat"] [data-field="canary"]').textContent()).toContain("fast-next: 20%");

    // Spend: the team's rendered spend is the cost /metrics counted (and the state's ledger when it keeps one).
    for (const team of ["app", "other"]) {
      const cost = sum(metrics, "switchyard_cost_usd_total", { team });
      expect(cost, team).toBeGreaterThan(0);
      const row = page.locator(`tr[data-team="${team}"]`);
      // the ledger settles after the response, so allow the page a poll or two to catch up
      await expect.poll(async () => Number(await row.getAttribute("data-spent")), { message: team, timeout: 10_000, interval: 200 }).toBeCloseTo(cost, 6);
      expect(await row.locator('[data-field="spent"]').textContent(), team).toBe(usd(cost));
      const ledger = state.budgets?.[team];
      if (ledger !== undefined) expect(ledger.spentUsd, team).toBeCloseTo(cost, 6);
    }
    expect(await page.locator('tr[data-team="app"] [data-field="limit"]').textContent()).toBe("$5.00");

    // Last-hour charts (inline SVG, one point a minute): their sums are the traffic /metrics counted.
    const spark = (chart: string, series: string) => page.locator(`[${chart}] .spark[data-series="${series}"]`);
    const sumOf = async (chart: string, series: string) => Number(await spark(chart, series).getAttribute("data-sum"));
    expect(await spark('data-chart-route="chat"', "requests").getAttribute("data-points")).toBe("60");
    expect(await sumOf('data-chart-route="chat"', "requests")).toBe(200);
    expect(await sumOf('data-chart-route="risky"', "requests")).toBe(30);
    expect(await sumOf('data-chart-route="risky"', "fallbacks")).toBe(30);
    expect(await sumOf('data-chart-route="chat"', "errors")).toBe(sum(metrics, "switchyard_requests_total", { route: "chat" }) - answered);
    expect(Number(await spark('data-chart-route="chat"', "p95").getAttribute("data-max"))).toBeGreaterThan(0);
    expect(await spark('data-chart-route="chat"', "requests").locator("svg polyline").count()).toBeGreaterThan(0);
    for (const team of ["app", "other"]) {
      expect(await sumOf(`data-chart-team="${team}"`, "spend"), team).toBeCloseTo(sum(metrics, "switchyard_cost_usd_total", { team }), 6);
    }
    // Spend per route, too: each route's chart sums to the cost /metrics counted on it.
    for (const route of ["chat", "risky"]) {
      const cost = sum(metrics, "switchyard_cost_usd_total", { route });
      expect(cost, route).toBeGreaterThan(0);
      expect(await sumOf(`data-chart-route="${route}"`, "spend"), route).toBeCloseTo(cost, 6);
    }
    // The canary's last reason is shown beside its step.
    expect(await page.locator('[data-route="chat"] [data-field="canary"]').textContent()).toContain("canary started");

    // Breaker: failing upstreams forced `broken` open; the page, /admin/state and /metrics agree.
    expect(state.breakers["broken"]?.status).toBe("open");
    expect(sum(metrics, "switchyard_breaker_state", { model: "broken" })).toBe(2);
    await expect.poll(() => page.locator('tr[data-model="broken"]').getAttribute("data-breaker")).toBe("open");
    expect(await page.locator('[data-route="risky"] .member[data-model="broken"] [data-breaker]').textContent()).toBe("open");
    expect(await page.locator('tr[data-model="fast-a"]').getAttribute("data-breaker")).toBe("closed");
    // …and every risky request ran on the fallback, with its reasons listed
    expect(await page.locator('[data-route="risky"] [data-field="fallback-rate"]').textContent()).toBe("fallback 100%");
    expect(await page.locator('[data-route="risky"] [data-field="reasons"]').textContent()).toMatch(/5xx on broken ×5/);

    // Response cache: 2 prompts asked 5 times each (2 misses, 8 hits) and one `no-store` bypass; the route's hit ratio
    // and what its hits saved are what /metrics counted, and the header line sums the saving.
    for (let i = 0; i < 10; i++) await app.chat.completions.create({ model: "faq", messages: [{ role: "user", content: `faq ${i % 2}` }], temperature: 0 });
    await app.chat.completions.create(
      { model: "faq", messages: [{ role: "user", content: "faq 0" }], temperature: 0 },
      { headers: { "cache-control": "no-store" } },
    );
    const cacheField = page.locator('[data-route="faq"] [data-field="cache"]');
    await expect.poll(() => cacheField.getAttribute("data-hit-ratio"), { timeout: 15_000, interval: 200 }).toBe((8 / 11).toFixed(4));
    const cacheMetrics = parseMetrics(await (await fetch(`${router.url}/metrics`)).text());
    for (const [result, n] of [
      ["hit", 8],
      ["miss", 2],
      ["bypass", 1],
    ] as const)
      expect(sum(cacheMetrics, "switchyard_cache_requests_total", { route: "faq", result }), result).toBe(n);
    const saved = sum(cacheMetrics, "switchyard_cache_saved_usd_total", { route: "faq" });
    expect(saved).toBeGreaterThan(0);
    expect(Number(await cacheField.getAttribute("data-saved"))).toBeCloseTo(saved, 9);
    expect(await cacheField.textContent()).toBe(`cache (per team, 10 min): ${pct(8 / 11)} hits · 8 hit, 2 miss, 1 bypass · ${usd(saved)} saved`);
    await expect.poll(() => page.locator("#totals").textContent()).toContain(`(${usd(saved)} saved by the cache)`);
    expect(await page.locator('[data-route="chat"] [data-field="cache"]').count()).toBe(0);

    // The active release is listed and marked.
    expect(await page.locator(`tr[data-release="${release.hash}"]`).textContent()).toContain("active");

    // Readable on a laptop: nothing scrolls sideways at 1280×800.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1280);
    expect(
      await page.evaluate(
        "[...document.querySelectorAll('section')].filter((s) => s.scrollWidth > s.clientWidth).map((s) => s.querySelector('h2').textContent)",
      ),
    ).toEqual([]);
    expect(pageErrors).toEqual([]);

    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const shot = path.join(ARTIFACTS_DIR, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`dashboard screenshot: ${shot}`);
    await context.annotate(`dashboard screenshot: ${shot}`, "artifact");
    await browserContext.close();
  }, 120_000);

  it("refuses the page and its data without the admin token, and with a wrong one", async () => {
    const browserContext = await chromium.newContext();
    const page = await browserContext.newPage();
    const first = await page.goto(`${router.url}/dashboard`);
    expect(first?.status()).toBe(401);
    await expect.poll(() => page.locator("#token").count()).toBe(1);
    const html = await page.content();
    for (const secret of ["fast-a", "backup-m", "chat", "risky", TOKEN]) expect(html).not.toContain(secret);

    // the data endpoint in the same browser: no cookie, a wrong bearer token, a forged session cookie
    const bare = await page.goto(`${router.url}/dashboard/api/snapshot`);
    expect(bare?.status()).toBe(401);
    expect(await bare?.text()).not.toContain("chat");
    const wrong = await browserContext.request.get(`${router.url}/dashboard/api/snapshot`, { headers: { authorization: "Bearer not-the-token" } });
    expect(wrong.status()).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("invalid_admin_token");
    await browserContext.addCookies([{ name: "switchyard_dashboard", value: `99999999999999.${"0".repeat(64)}`, url: `${router.url}/dashboard` }]);
    expect((await page.goto(`${router.url}/dashboard/api/snapshot`))?.status()).toBe(401);
    expect((await page.goto(`${router.url}/dashboard`))?.status()).toBe(401);
    await browserContext.clearCookies();

    // a wrong token at the form: still the form (401), no session cookie
    await page.fill("#token", "not-the-token");
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/dashboard/login")), page.click("button[type=submit]")]);
    expect(answer.status()).toBe(401);
    expect(await page.locator('[role="alert"]').textContent()).toContain("not valid");
    expect(await page.locator('[data-route="chat"]').count()).toBe(0);
    expect(await browserContext.cookies()).toEqual([]);
    await browserContext.close();
  }, 60_000);
});
