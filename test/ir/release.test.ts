/** @module ir release tests — switchyard.json round-trips; what is not a release is named in one line each. */
import { describe, expect, it } from "vitest";
import { parseRelease, serialiseRelease } from "@switchyard/ir";
import { releaseOf } from "../helpers/release.ts";

const release = releaseOf({
  providers: { p: { kind: "mock" } },
  models: { m: { provider: "p", name: "m-1", context: 8000, price: { input: 1, output: 2 } } },
  routes: { chat: { model: "m" } },
});

describe("parseRelease", () => {
  it("reads what serialiseRelease wrote, with the same hash", () => {
    const parsed = parseRelease(serialiseRelease(release));
    expect(parsed).toEqual({ success: true, data: release });
    expect(parseRelease(serialiseRelease(release), release.hash).success).toBe(true);
  });

  it("text that is not JSON: one issue, one line", () => {
    const parsed = parseRelease('{\n"hash": tru\n}');
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(parsed.issues).toHaveLength(1);
    expect(parsed.issues[0]?.code).toBe("invalid_json");
    expect(parsed.issues[0]?.message).toMatch(/^not valid JSON: /);
    expect(parsed.issues[0]?.message).not.toContain("\n");
  });

  it("a tampered config or a wrong expected hash is a hash mismatch", () => {
    const tampered = serialiseRelease(release).replace('"m-1"', '"m-2"');
    const parsed = parseRelease(tampered);
    expect(parsed.success ? undefined : parsed.issues[0]?.code).toBe("hash_mismatch");
    const wrong = parseRelease(serialiseRelease(release), "0".repeat(64));
    expect(wrong.success ? undefined : wrong.issues[0]?.message).toContain(`expected release ${"0".repeat(64)}`);
  });

  it("JSON of another shape is not a release", () => {
    const parsed = parseRelease("[1, 2]");
    expect(parsed.success ? undefined : parsed.issues[0]?.code).toBe("invalid_release");
  });
});
