/**
 * @module Two fake OpenAI upstreams for fallback tests: `primary` (provider `p`, model `prim`, answers
 * "ok" unless scripted) and `backup` (provider `b`, model `back`, answers "backup here"), with a
 * release of the caller's routes over them.
 */
import type { Release } from "@switchyard/ir";
import { type Behaviour, type FakeOpenAi, startFakeOpenAi } from "./fake-openai.ts";
import { releaseOf } from "./release.ts";

export const always = (b: Behaviour) => (): Behaviour => b;

export interface PrimaryBackup {
  primary: FakeOpenAi;
  backup: FakeOpenAi;
  /** A release of `routes` over providers `p` (primary) and `b` (backup), models `prim` and `back`. */
  release(routes: Parameters<typeof releaseOf>[0]["routes"]): Release;
  /** Between tests: forget the requests seen and go back to the default answers. */
  reset(): void;
  close(): Promise<void>;
}

export async function startPrimaryBackup(): Promise<PrimaryBackup> {
  const primary = await startFakeOpenAi();
  const backup = await startFakeOpenAi(always({ kind: "ok", text: "backup here" }));
  return {
    primary,
    backup,
    release: (routes) =>
      releaseOf({
        providers: { p: { kind: "openai", baseUrl: primary.baseUrl }, b: { kind: "openai", baseUrl: backup.baseUrl } },
        models: {
          prim: { provider: "p", name: "prim-model", context: 100_000, price: { input: 1, output: 1 } },
          back: { provider: "b", name: "back-model", context: 100_000, price: { input: 1, output: 1 } },
        },
        routes,
      }),
    reset() {
      primary.requests.length = 0;
      backup.requests.length = 0;
      primary.setScript(always({ kind: "ok" }));
      backup.setScript(always({ kind: "ok", text: "backup here" }));
    },
    async close() {
      await primary.close();
      await backup.close();
    },
  };
}
