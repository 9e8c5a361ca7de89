/** @module A router with a Responses-capable route over each provider kind (scripted OpenAI and Anthropic upstreams, the mock), for the Responses tests. */
import type { RunningRouter } from "@switchyard/router";
import { releaseOf } from "../../helpers/release.ts";
import { startTestRouter } from "../../helpers/router.ts";
import { type ScriptedUpstream, startScriptedUpstream } from "./scripted-upstream.ts";

export interface ResponsesRig {
  router: RunningRouter;
  openai: ScriptedUpstream;
  anthropic: ScriptedUpstream;
  /** The team key clients send. */
  key: string;
  close(): Promise<void>;
}

/** Routes `via-openai` (model gpt-4o-mini), `via-anthropic` (claude-sonnet-4-5) and `via-mock`, for team `app`. */
export async function startResponsesRig(): Promise<ResponsesRig> {
  const openai = await startScriptedUpstream("openai");
  const anthropic = await startScriptedUpstream("anthropic");
  const release = releaseOf({
    providers: {
      oai: { kind: "openai", baseUrl: openai.baseUrl, apiKey: { secret: "OAI_KEY" } },
      ant: { kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: { secret: "ANT_KEY" } },
      sim: { kind: "mock" },
    },
    models: {
      gpt: { provider: "oai", name: "gpt-4o-mini", context: 128_000, price: { input: 0.15, output: 0.6 } },
      claude: { provider: "ant", name: "claude-sonnet-4-5", context: 200_000, price: { input: 3, output: 15 } },
      mocky: { provider: "sim", name: "mock-1", context: 8_000, price: { input: 0, output: 0 } },
    },
    routes: { "via-openai": { model: "gpt" }, "via-anthropic": { model: "claude" }, "via-mock": { model: "mocky" } },
    teams: { app: { keys: [{ secret: "APP_KEY" }], routes: ["via-openai", "via-anthropic", "via-mock"] } },
  });
  const router = await startTestRouter(release, { env: { OAI_KEY: "sk-upstream-openai", ANT_KEY: "sk-upstream-anthropic", APP_KEY: "team-app-key" } });
  return {
    router,
    openai,
    anthropic,
    key: "team-app-key",
    close: async () => {
      await router.close();
      await openai.close();
      await anthropic.close();
    },
  };
}

/** The upstream behind a route, and the model name it is sent. */
export const KINDS = [
  { route: "via-openai", kind: "openai" as const, model: "gpt-4o-mini" },
  { route: "via-anthropic", kind: "anthropic" as const, model: "claude-sonnet-4-5" },
];

/** What an upstream received as the conversation, in Chat Completions terms or Anthropic's. */
export function upstreamOf(rig: ResponsesRig, kind: "openai" | "anthropic"): ScriptedUpstream {
  return kind === "openai" ? rig.openai : rig.anthropic;
}
