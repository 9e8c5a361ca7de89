/** @module Start a router in-process for tests (the default http1 transport, every adapter and validator). */
import type { Release } from "@switchyard/ir";
import { type RunningRouter, type StartRouterOptions, builtinAdapters, builtinValidators, startRouter } from "@switchyard/router";

/** Start on 127.0.0.1:0 with a seeded-looking rng (0.5) unless overridden. */
export function startTestRouter(release: Release, options: Partial<StartRouterOptions> = {}): Promise<RunningRouter> {
  return startRouter({
    release,
    port: 0,
    host: "127.0.0.1",
    env: {},
    adapters: builtinAdapters,
    validators: builtinValidators,
    rng: () => 0.5,
    ...options,
  });
}

/** POST a JSON body to the router's chat endpoint with fetch. */
export async function chat(router: { url: string }, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${router.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The x-switchyard-* headers of a response, for assertions and printing. */
export function switchyardHeaders(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name.startsWith("x-switchyard-")) out[name] = value;
  });
  return out;
}
