import { describe, expect, it } from "vitest";
import { RouterError } from "../errors.ts";
import { loadOnce } from "./lazy.ts";
import { UpstreamError } from "./types.ts";

describe("loadOnce", () => {
  it("loads once for concurrent and later calls", async () => {
    let loads = 0;
    const load = loadOnce("the part", async () => ({ n: ++loads }));
    const [a, b] = await Promise.all([load(), load()]);
    expect(await load()).toBe(a);
    expect(b).toBe(a);
    expect(loads).toBe(1);
  });

  it("fails a call whose load fails as the provider's 5xx, and the next call loads again", async () => {
    let loads = 0;
    const load = loadOnce("the anthropic adapter of provider `ant`", async () => {
      loads++;
      if (loads === 1) throw new SyntaxError("Unexpected end of input");
      return "calls";
    });
    const failed = await load().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(UpstreamError);
    expect(failed).toMatchObject({ errorClass: "5xx", message: "the anthropic adapter of provider `ant` could not be loaded: Unexpected end of input" });
    expect(await load()).toBe("calls");
    expect(loads).toBe(2);
  });

  it("passes a RouterError (a missing asset) as it is, and tries again", async () => {
    const missing = new RouterError("asset_missing", "switchyard-x.mjs is missing beside router.mjs");
    let loads = 0;
    const load = loadOnce("the part", async () => {
      if (++loads === 1) throw missing;
      return 1;
    });
    await expect(load()).rejects.toBe(missing);
    expect(await load()).toBe(1);
  });
});
