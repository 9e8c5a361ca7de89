/** @module Build releases for tests straight from IR input (no compiler involved). */
import { type ConfigInput, type Release, createRelease, parseConfig } from "@switchyard/ir";

/** Validate IR input with `parseConfig` and make a release; throws with the issues when invalid. */
export function releaseOf(input: Omit<ConfigInput, "irVersion" | "environment"> & { environment?: string }): Release {
  const parsed = parseConfig({ irVersion: 1, environment: "test", ...input });
  if (!parsed.success) throw new Error(`invalid test config: ${JSON.stringify(parsed.issues)}`);
  return createRelease(parsed.data);
}
