/**
 * @module docs/observability.md stays true: every PromQL query parses (the Prometheus project's own
 * Lezer grammar), every metric it names is one the router exports, and the metric table lists
 * exactly the metrics a router serves.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter } from "@switchyard/router";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";

const doc = readFileSync(path.join(import.meta.dirname, "..", "..", "docs", "observability.md"), "utf8");
let router: RunningRouter;
let exported: Set<string>;

beforeAll(async () => {
  router = await startTestRouter(
    releaseOf({
      providers: { mock: { kind: "mock" } },
      models: { m: { provider: "mock", name: "m", context: 32_000, price: { input: 1, output: 1 } } },
      routes: { chat: { model: "m" } },
      teams: { t: { keys: [{ secret: "K" }], routes: ["chat"], budget: { usd: 10 }, limits: { rpm: 100 } } },
    }),
    { env: { K: "k" } },
  );
  await (await chat(router, { model: "chat", messages: [{ role: "user", content: "hi" }] }, { authorization: "Bearer k" })).arrayBuffer();
  const text = await (await fetch(`${router.url}/metrics`)).text();
  exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? ""));
});
afterAll(async () => {
  await router?.close();
});

/** The PromQL queries of the "Grafana-ready queries" block (comment lines dropped, continuations joined). */
function queries(): string[] {
  const block = /### Grafana-ready queries[\s\S]*?```promql\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
  const out: string[] = [];
  for (const line of block.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    if (/^\s/.test(line) && out.length > 0) out[out.length - 1] += ` ${line.trim()}`;
    else out.push(line.trim());
  }
  return out;
}

describe("docs/observability.md", () => {
  it("every query parses as PromQL", () => {
    const qs = queries();
    expect(qs.length).toBeGreaterThan(10);
    for (const q of qs) {
      const tree = parser.parse(q);
      let error = false;
      tree.iterate({ enter: (node) => void (node.type.isError && (error = true)) });
      expect(error, q).toBe(false);
    }
  });

  it("every metric a query names is exported by the router", () => {
    for (const q of queries()) {
      for (const [name] of q.matchAll(/switchyard_[a-z_]+/g)) {
        const base = name.replace(/_(bucket|sum|count)$/, "");
        expect(exported.has(base), `${name} in: ${q}`).toBe(true);
      }
    }
  });

  it("the Grafana dashboard's panel queries parse and name only exported metrics", () => {
    const dashboard = JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "..", "docs", "grafana", "switchyard.json"), "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        // Grafana substitutes its variables before Prometheus sees the query.
        const q = expr.replaceAll("$__rate_interval", "5m").replaceAll("$route", ".*").replaceAll("$team", ".*");
        let error = false;
        parser.parse(q).iterate({ enter: (node) => void (node.type.isError && (error = true)) });
        expect(error, `${panel.title}: ${q}`).toBe(false);
        for (const [name] of q.matchAll(/switchyard_[a-z_]+/g))
          expect(exported.has(name.replace(/_(bucket|sum|count)$/, "")), `${name} in ${panel.title}`).toBe(true);
      }
    }
  });

  it("the metric table lists exactly the exported metrics", () => {
    const table = /## Prometheus metrics[\s\S]*?\n((?:\|.*\n)+)/.exec(doc)?.[1] ?? "";
    const listed = new Set([...table.matchAll(/^\| `(switchyard_[a-z_]+)`/gm)].map((m) => m[1] ?? ""));
    expect([...listed].sort()).toEqual([...exported].sort());
  });
});
