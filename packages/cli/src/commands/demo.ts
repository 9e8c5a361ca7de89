/** @module commands/demo — `switchyard demo`: build the quickstart, serve it with mock providers, show a fallback. */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Release } from "@switchyard/ir";
import type { Command, Io } from "../command.ts";
import { UsageError } from "../command.ts";
import { configFile, consoleToStderr } from "./config-file.ts";
import { parsePort, untilSignal } from "./serve.ts";

const DEMO_KEY_ENV = "SWITCHYARD_DEMO_KEY";
const DEMO_KEY_VALUE = "sy-demo-key";
const QUICKSTART = fileURLToPath(new URL("../../../../examples/quickstart/routes.ts", import.meta.url));

/** The route the showcase calls: the demo team's first route with a fallback chain (else its first). */
function showcaseRoute(release: Release): { route: string; needsKey: boolean } | undefined {
  const teams = Object.values(release.config.teams);
  const demoTeam = teams.find((t) => t.keys.some((k) => k.secret === DEMO_KEY_ENV));
  const candidates = demoTeam !== undefined ? demoTeam.routes : teams.length === 0 ? Object.keys(release.config.routes) : [];
  const route = candidates.find((r) => (release.config.routes[r]?.fallback.length ?? 0) > 0) ?? candidates[0];
  return route === undefined ? undefined : { route, needsKey: teams.length > 0 };
}

function examples(url: string, route: string, keyed: boolean): string {
  const auth = keyed ? ` \\\n    -H "Authorization: Bearer $${DEMO_KEY_ENV}"` : "";
  return `
Try it:
  curl ${url}/v1/chat/completions${auth} \\
    -H "Content-Type: application/json" \\
    -d '{"model": "${route}", "messages": [{"role": "user", "content": "Hello!"}]}' -i

  # any OpenAI SDK works: the model names a route
  import OpenAI from "openai";
  const client = new OpenAI({ baseURL: "${url}/v1", apiKey: ${keyed ? `process.env.${DEMO_KEY_ENV}` : '"unused"'} });
  const answer = await client.chat.completions.create({ model: "${route}", messages: [{ role: "user", content: "Hello!" }] });
`;
}

async function showcase(io: Io, url: string, route: string, key: string | undefined, quickstart: boolean): Promise<void> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== undefined) headers["authorization"] = `Bearer ${key}`;
  io.stdout(`\nShowcase: sending requests to route "${route}"${quickstart ? " (its primary fails often, by design)" : ""}\n`);
  let fallbacks = 0;
  let failures = 0;
  // Until a fallback shows (at least 4, at most 12), but not 12 times the same failure.
  for (let i = 1; i <= 12 && ((fallbacks === 0 && failures === 0) || i <= 4); i++) {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...headers, "x-request-id": `demo-${i}` },
      body: JSON.stringify({ model: route, messages: [{ role: "user", content: `Hello #${i}` }] }),
    });
    const body = (await res.json()) as { choices?: Array<{ message?: { content?: string } }>; error?: { message?: string } };
    const h = (name: string): string => res.headers.get(`x-switchyard-${name}`) ?? "-";
    const attempts = Number(h("attempts"));
    const note = res.status !== 200 ? `error: ${body.error?.message ?? ""}` : attempts > 1 ? "← fallback: a candidate failed, the next one answered" : "";
    if (res.status === 200 && attempts > 1) fallbacks++;
    if (res.status !== 200) failures++;
    io.stdout(
      `  #${String(i).padStart(2)} ${res.status}  x-switchyard-model=${h("model")}  x-switchyard-provider=${h("provider")}  x-switchyard-attempts=${h("attempts")}  ${note}\n`,
    );
  }
  if (failures > 0) io.stdout(`${failures} request(s) failed: see the errors above.\n`);
  else
    io.stdout(
      fallbacks > 0
        ? `Fallback happened ${fallbacks} time(s); the client only ever saw 200s.\n`
        : "No fallback this time (the mock's failures are per request id).\n",
    );
  const stream = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { ...headers, "x-request-id": "demo-stream" },
    body: JSON.stringify({ model: route, stream: true, messages: [{ role: "user", content: "Stream please" }] }),
  });
  if (stream.status !== 200) {
    const body = (await stream.json().catch(() => ({}))) as { error?: { message?: string } };
    io.stdout(`\nStreaming failed (${stream.status}): ${body.error?.message ?? "no error message"}\n`);
    return;
  }
  let text = "";
  for (const line of (await stream.text()).split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const chunk = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> };
    text += chunk.choices?.[0]?.delta?.content ?? "";
  }
  io.stdout(`\nStreaming (x-switchyard-model=${stream.headers.get("x-switchyard-model") ?? "-"}): ${text}\n`);
}

export const command: Command = {
  name: "demo",
  summary: "Build the quickstart, serve it with mock providers and show a fallback",
  usage: "switchyard demo [routes.ts] [--port 8787] [--once]",
  help: `Builds examples/quickstart/routes.ts (mock providers, no network, no keys needed), serves it on
127.0.0.1:8787 (or the next free port), prints curl and SDK examples, sends a few requests itself
and shows a fallback happening through the x-switchyard-* headers, then keeps serving until Ctrl-C.
${DEMO_KEY_ENV} is the demo team's key; a demo value is used when it is unset.

Examples:
  switchyard demo
  switchyard demo --once       # exit after the showcase (CI)`,
  options: {
    port: { type: "string", short: "p", description: "First port to try (default 8787; the next free one is used if taken)" },
    once: { type: "boolean", description: "Exit after the showcase instead of serving until Ctrl-C" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one routes.ts, got ${positionals.length}`);
    const file = positionals[0] !== undefined ? configFile(io.cwd, positionals[0]) : QUICKSTART;
    try {
      await stat(file);
    } catch {
      throw new UsageError(`${relative(io.cwd, file)} does not exist`);
    }
    const firstPort = parsePort(values.port, 8787);
    const env: NodeJS.ProcessEnv = { ...io.env };
    if (env[DEMO_KEY_ENV] === undefined || env[DEMO_KEY_ENV] === "") {
      env[DEMO_KEY_ENV] = DEMO_KEY_VALUE;
      io.stdout(`${DEMO_KEY_ENV} is not set; using the demo key "${DEMO_KEY_VALUE}" (export ${DEMO_KEY_ENV}=${DEMO_KEY_VALUE} to use the examples below)\n`);
    }

    const { build, formatDiagnostics } = await import("@switchyard/compiler");
    const outDir = await mkdtemp(join(tmpdir(), "switchyard-demo-"));
    try {
      io.stdout(`Building ${relative(io.cwd, file) || basename(file)}…\n`);
      const result = await build({ file, outDir, onConsole: consoleToStderr(io, file) });
      if (result.diagnostics.length > 0) {
        const text = formatDiagnostics(result.diagnostics, "pretty", { cwd: io.cwd, color: false });
        io.stderr(text.endsWith("\n") ? text : `${text}\n`);
      }
      if (!result.ok || result.release === undefined) return 1;
      const release = result.release;
      for (const written of result.files ?? []) {
        const size = (await stat(written)).size;
        io.stdout(`  ${basename(written)}  ${(size / 1024).toFixed(1)} KB\n`);
      }

      const { startRouter, RouterStartError, builtinAdapters, builtinValidators, undiciTransport } = await import("@switchyard/router");
      let router;
      for (let port = firstPort; router === undefined; port++) {
        try {
          router = await startRouter({
            release,
            port,
            host: "127.0.0.1",
            env,
            adapters: builtinAdapters,
            validators: builtinValidators,
            transport: undiciTransport(),
          });
          if (port !== firstPort) io.stdout(`Port ${firstPort} is in use; using ${port} instead.\n`);
        } catch (error) {
          if (error instanceof RouterStartError && error.code === "EADDRINUSE" && firstPort !== 0 && port < firstPort + 20) continue;
          if (error instanceof RouterStartError) {
            io.stderr(`switchyard demo: ${error.message}\n`);
            return 1;
          }
          throw error;
        }
      }
      for (const warning of router.warnings) io.stderr(`warning: ${warning}\n`);
      io.stdout(`\nswitchyard router listening on ${router.url} (environment ${release.config.environment}, release ${release.hash.slice(0, 12)})\n`);
      const pick = showcaseRoute(release);
      if (pick === undefined) {
        io.stderr("switchyard demo: the config has no route the demo team may use\n");
        await router.close();
        return 1;
      }
      io.stdout(examples(router.url, pick.route, pick.needsKey));
      const real = Object.entries(release.config.providers)
        .filter(([, provider]) => provider.kind !== "mock")
        .map(([name]) => name);
      if (real.length > 0)
        io.stdout(
          `\nNote: ${real.join(", ")} ${real.length === 1 ? "is not a mock provider" : "are not mock providers"}: the showcase calls ${real.length === 1 ? "it" : "them"} for real (keys and network needed).\n`,
        );
      await showcase(io, router.url, pick.route, pick.needsKey ? env[DEMO_KEY_ENV] : undefined, file === QUICKSTART);
      if (values.once === true) {
        await router.close();
        return 0;
      }
      io.stdout(`\nServing on ${router.url} — Ctrl-C to stop.\n`);
      await untilSignal();
      await router.close();
      return 0;
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  },
};
