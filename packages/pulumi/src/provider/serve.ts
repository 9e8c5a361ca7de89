/**
 * @module provider/serve — the plugin's entry: serve the release provider and print the port (the
 * engine reads it from the first line of stdout, so nothing may be printed before it).
 */
import { readFileSync } from "node:fs";
import { createReleaseProvider } from "./release-provider.ts";
import { startProviderServer } from "./server.ts";

/** The provider's version: this package's. */
export function providerVersion(): string {
  const parsed = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "0.0.0";
}

/**
 * Start the provider plugin. `args` are the engine's (its address, logging flags): the provider
 * needs none of them, it only answers the engine's calls.
 */
export async function serve(_args: readonly string[]): Promise<void> {
  const { port } = await startProviderServer({ provider: createReleaseProvider(), version: providerVersion() });
  process.stdout.write(`${port}\n`);
}
