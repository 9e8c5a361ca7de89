/** @module The router's zod-free release check agrees with the IR's zod parseRelease: on compiled examples and on a table of broken edits. */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "@switchyard/compiler";
import { type Release, contentHash, parseRelease, serialiseRelease } from "@switchyard/ir";
import { verifyReleaseText } from "@switchyard/router";
import { repoRoot } from "../compiler/helpers.ts";

let releases: Release[] = [];

beforeAll(async () => {
  const out: Release[] = [];
  for (const [file, env] of [
    ["examples/acme/routes.ts", "prod"],
    ["examples/acme/routes.ts", "dev"],
    ["examples/quickstart/routes.ts", undefined],
  ] as const) {
    const result = await compile({ file: join(repoRoot, file), ...(env !== undefined ? { env } : {}) });
    if (result.release === undefined) throw new Error(`${file} did not compile`);
    out.push(result.release);
  }
  releases = out;
}, 60_000);

type Json = Record<string, unknown>;
const first = (map: unknown): Json => Object.values(map as Json)[0] as Json;

/** Edits that break a config; each must be refused by both checks. */
const broken: Array<[string, (c: Json) => void]> = [
  ["irVersion 2", (c) => void (c["irVersion"] = 2)],
  ["environment with a space", (c) => void (c["environment"] = "bad env")],
  ["unknown provider kind", (c) => void (first(c["providers"])["kind"] = "azure")],
  ["unknown key on a provider", (c) => void (first(c["providers"])["extra"] = 1)],
  ["unknown top-level key", (c) => void (c["surprise"] = {})],
  ["negative price", (c) => void ((first(c["models"])["price"] as Json)["input"] = -1)],
  ["fractional context", (c) => void (first(c["models"])["context"] = 1.5)],
  ["model without provider", (c) => void delete first(c["models"])["provider"]],
  [
    "route with both tier and model",
    (c) => {
      const route = first(c["routes"]);
      route["tier"] = Object.keys(c["tiers"] as Json)[0] ?? "t";
      route["model"] = Object.keys(c["models"] as Json)[0] ?? "m";
    },
  ],
  [
    "route with neither tier nor model",
    (c) => {
      const route = first(c["routes"]);
      delete route["tier"];
      delete route["model"];
    },
  ],
  [
    "secret reference in lower case",
    (c) => {
      const team = first(c["teams"] ?? {});
      if (team !== undefined) team["keys"] = [{ secret: "lower_case" }];
      else c["irVersion"] = "1";
    },
  ],
  ["routes is an array", (c) => void (c["routes"] = [])],
  ["string where a number goes", (c) => void (first(c["models"])["context"] = "128000")],
];

function withHash(config: Json): string {
  return JSON.stringify({ hash: contentHash(config), config });
}

describe("verifyReleaseText (JSON Schema) agrees with parseRelease (zod)", () => {
  it("accepts every compiled example exactly as built", () => {
    expect(releases.length).toBe(3);
    for (const release of releases) {
      const text = serialiseRelease(release);
      expect(parseRelease(text, release.hash).success).toBe(true);
      const verified = verifyReleaseText(text, release.hash);
      expect(verified).toEqual({ ok: true, release: { hash: release.hash, config: JSON.parse(text).config } });
    }
  });

  it.each(broken)("refuses %s, like zod, with a path into the file", (_name, edit) => {
    for (const release of releases) {
      const config = JSON.parse(JSON.stringify(release.config)) as Json;
      edit(config);
      const text = withHash(config);
      const hash = contentHash(config);
      const zod = parseRelease(text, hash);
      const ours = verifyReleaseText(text, hash);
      expect(zod.success).toBe(false);
      expect(ours.ok).toBe(false);
      if (!ours.ok) {
        expect(ours.diagnostics.length).toBeGreaterThan(0);
        for (const d of ours.diagnostics) expect(d.path ?? "config").toMatch(/^config/);
      }
    }
  });

  it("hash checks: claimed hash vs content, and URL hash vs content", () => {
    const release = releases[0];
    if (release === undefined) throw new Error("no release");
    const text = serialiseRelease(release);
    const other = "0".repeat(64);
    expect(verifyReleaseText(text, other)).toMatchObject({ ok: false, diagnostics: [{ code: "hash_mismatch", path: "hash" }] });
    const lying = text.replace(release.hash, other);
    expect(verifyReleaseText(lying, other)).toMatchObject({ ok: false, diagnostics: [{ code: "hash_mismatch" }] });
    expect(verifyReleaseText("nope", release.hash)).toMatchObject({ ok: false, diagnostics: [{ code: "invalid_json" }] });
    expect(verifyReleaseText('{"hash":1,"config":{}}', release.hash)).toMatchObject({ ok: false, diagnostics: [{ code: "invalid_release" }] });
  });
});
