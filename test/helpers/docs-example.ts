/** @module The ```ts examples of docs/providers.md, marked `<!-- example: name -->`, for tests that compile and run them as written. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PROVIDERS_MD = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "providers.md");

/** The ```ts block after `<!-- example: name` in docs/providers.md; throws when there is none. */
export async function providersExample(name: string): Promise<string> {
  const docs = await readFile(PROVIDERS_MD, "utf8");
  const marker = docs.indexOf(`<!-- example: ${name}`);
  const start = docs.indexOf("```ts\n", marker);
  const end = docs.indexOf("\n```", start + 6);
  if (marker < 0 || start < 0 || end < 0) throw new Error(`docs/providers.md has no example ${name}`);
  return docs.slice(start + 6, end + 1);
}
