/** @module routes.ts → IR: prompt-cache prices and the mock's cached tokens are typed and kept; `router.maxBodyBytes` per environment, 32 MiB by default. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { DEFAULT_MAX_BODY_BYTES } from "@switchyard/ir";
import { fixtures } from "./helpers.ts";

const file = join(fixtures, "pricing", "routes.ts");

describe("pricing and limits in routes.ts", () => {
  it("keeps price.cachedInput, price.cacheWrite and mock.cachedTokens; an environment sets its own body limit, the rest get the default", async () => {
    const staging = await compile({ file, env: "staging" });
    expect(staging.release?.config.models["claude"]?.price).toEqual({ input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 });
    expect(staging.release?.config.models["mock"]?.price).toEqual({ input: 0, output: 0 });
    expect(staging.release?.config.providers["sim"]?.mock?.cachedTokens).toBe(100);
    expect(staging.release?.config.router.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    const prod = await compile({ file, env: "prod" });
    expect(prod.release?.config.router.maxBodyBytes).toBe(8 * 1024 * 1024);
  });
});
