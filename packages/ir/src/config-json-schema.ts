/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (10518 bytes of JSON, 1509 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "GxUpIBwHdjPXysWGzeBEeMj3Z6uqT79nUmllWnl2+TCa8CDcDStm+dtX/SKWg83zgE9P0ZzgTcGXNItOV1+/3EubE5LSHEphEQrjEfZ2N5vrTVFa3ST/JZRS1OFqsaAVwpwxGB8OhUXShZPYGlqllEhzRSBebn5gRapPURD6BgI6e1F/aJPAo9TWQqZFj2r+REpdQNbeiNlbnB0+SuE7XWaRZ79f387AzszWP6H8UY5qH2MjUMMS23WuOoBlE0UHi9hEgc66KqqoMAZ5Jz7ZBbIaoS3J/PMGUkYqQSOEWwIWa5LGdkEw6qKnuWDOGe9pkD74xxk2nm1z3nxmaR8ytreo8gnwUNt0/ty1Phx7L8sxNi6AEqnhKJ3RzMSj4TXYQAPurMY98B4s9dFTqdXsYYCOtZQxmGQ6NbZypC4ZQ/50XGdc0bM7CkHJt50VMeQ7aDHhZeHGi0ALBMZKzbzdZxfVtt46FzxO8cf5PA10/Bh02fSVT1dNkZ4CzVe0ZDLpX9KNu7WdHL0MYHpRw6vx1uyeJ9i4kaN9rCaJqWhFDgRBoBAjLx7CDI6gF1Fi7ORnJeenzrmoADSroaPGTYFpIPg58PT3SOrmR6f/Xg7mV5IUz8igmXhazgR5R//earGWUewJcyUHum8KEDjSaeyU5gTuioHHTQQhyYcJHGLCgg3OX91BkeyBJYB5FgqODYAZn5+2n5fk/Dnwo2q6oSQ2993/v1xW67a3kqpuYOdjgwsSt76R/N/yUHIRWIXKmqxZNR54dHKr1sbtejtVFuG348FK8/6qbH3Yuk7Usvi/HW86uzu9PnTx4aTq7x36sGOVGIay+GCccxSM3gbRom3BceokQbjYuJM4FpwiiHo3E3T5Owk7ZXOJZenHS86R48e1G5pm6CnsA7SEIsPe8ftkbTBn/e2asZVrW1+hSieA9IqqIiF/0hXgviravSKWUkY7TJOjxpgTeofAEQxsUQ3DpiM/cJb4/LNXyZUmD/zKmdtsdM2QLsq8PFpevEZrx3bpwLVjfE+57JMdNiWJXH1oTESySg2WOsXxm7PRHrT2N+bg6edpsS4l2ZS0NvaCmhvU3U0x9DJNbE6t3EekB1WOTOVqLSWQ9oz38kdLBMtzLpPYDB1UBjj8TgTWjtBiBFUN8SaEj3ur3qciEgV2vNiAT1eVl0bcsXpDsc6BcHFuGG70GuwerubwCePO+X0XrTKyr6v+F7RN39BMXWBqPNA7K9eUSlXukNagtlTKqkDLn/qS4Tt8Q+kZNiuIbK22NnYJkyromBI1N61QSsybzMQxSYsz75qV1dfQBT/UUw87vaum3OrWcf+EgImOtrT0VA9P6pV+8sS0adVarBaVWbE/LRM+DvT8Zr+FmgXwnpZYWsJ+Tn++AjJLyZ84kIa8E6OKecX9M+GotQZ5Ov1yzgIh//xAnk7bq8KdTs3t7AImf0C5GHwsXdAfduQ9ZLevl3U2imOWzvsFgz7XGLEaQ1x0aZjX+wu4FZ8GNdrlRk2Iun+ov96RqxRj96mlHd2nGjQ8cR2UXa7GR23mE7Qg1QryI5v0aIQeBMB+CrUmC8TAqy8/JPB4cbc9Kga+/F09WpQARC4WnckuaFDze1iyqxL78vUVIw2sTqcOnYnVIJxtVfcqFY1bdjeDf1K9NeF9/90XqpSfoqIBEBtBNHISesag65F9/KCh72eK496C82ZE5ANMqnDXFjOhjDyFNIp9XZ9QaLTSEgvUAS/N+AO3qyOCbgxfXjxBuJ/iJH+cUu/nDLe6ot5IXiwTau55Z3FJZ58CLTouzL9wWQ0Rnlt1MnTtFteAgX8oRZwEWiKZPgaMBSwOB856AOUKWsOyV2I6WjKUKQA9jdadWHArmFAFTThNtSGaZRLiFg/lW5ny1bcExC2yIj0zwIqP4bX8NWAsn7xFreAxYbo5oq/VxwoDmU1mbHgifpn/mDeq/bY/0SUNwI01ZRuqWcD5p+gWlrldfxhZYxgsA/SrYnRvsg9gNMexgYpOjpAi";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
