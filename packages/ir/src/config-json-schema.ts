/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (11075 bytes of JSON, 1565 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G0IrIBwHdkz4BzZshodjVu73Kr8FurSb8L3y+AoTKBvx6Xx/tqr63++ZVFqZVp5dAqMJD8LdsNIsOl19/d69/c4XktIcSmERCuMRdmcmk8O+fbRa025CKUV9XC0WhEUahMEYjM9fFBZJF05iY2j17WqNCDgiEDb5m3mE6IsRmL4OQGcPdESbGJ6HthYyA3pU88cibwKy7j9R+4DRwwcRvse76zQ7fH34ETtO77/cOlJKtHNsBKPPLKQw2NSqp6KdOcg6/kluSCuEpmjnXzYsZUQDGlmoBZBYkzS2C8Coix4zwZwyv6eBe+8HY9hwts358Ja5fcDY3nLlT4CF6qb5ue7cHv21bs+xMQFUSAxD6bSmJkb7K7CBhmmwkkfgHUjqo0ejVf9QQHctZY5FO108tnIkLpkj9nJap13RsysXQMlXTUUM2QYqFjyBUXf4XHVgEhxaIDAma+btPhuvtXNlTOwCxE9H0jSz8HWWyaYvfbpqivQUaD2iksio/Yg3bn07OToZ0OkFiX8WZNUbXkDDSg6OsaokJKLLsscIAoUQebEQzuTwRhElxka8Lxk/Nc5FGaBVC501ZomLA8Gucae+R1LL18a+LgfrK0mKV1xQTbzsZoK8oX93tVjLIPakcyUHmm9yANiTSTZKwwL1omNxA8DleD/AcUy8IGNnr26jSLbA4qA8DYIjY8AsuH7d3o6b83//j5BKW4Pppj19cUIfc9U1Qpm5MzY4b3Dr68nTlgeTN47BBW2yepXM9dFwq07jKf5q8bpxX13gdDWfEdbWh6zjoF83p6sFqej1qf1tj7cnhO93/e32YdC1dfPKOGcvF73yvEG3BfuhiwDuYPIgsa+3GODVbgJ0+SNxK2Vz8VXp04vOkGPntZmaztRT2Hto8VmGreP3yVpnzrW3q8dWrnV9OV4GAadXVBRx6aOmALdVweEVtpQyOmAa/CRjTugdxA4wkHk1DJtuvuUo8NlnvyVXjB/4iSOzfvSXIV208/Joef4arR3bpQHXgbEjZaJLNtgUBHJ2IZmIRI3qLDVi+J3TZM+y9ivOwdHP0XxdCqIpKE22ghob1D1MIfQKTWhNrdxGxCdVjkjlSi0FkO6J9fJ7SwTLsy6L2Gc6CAo43E0Aa0fWYoCshVgTwsfdVe9DEfECuy864MtN5aURNqxWUSyzx1y4Nww3+hccHs7W8AXfzvr9EK1UsuZN/wtyqomq3gSmRgO9MzJJKRVlDlkNSkupqgqk/KkvmW2HbSgjI2rFkK3Z1GSTsEiFB6ZEzk0zkOLzRiNxjNPinfdmafPVuOCTevJhpzbRtLe6Zdw3ceAJR1uce8p3R+WK31ti2rRqKVaJyiyZH+cJnwd6PtlvoUYBvCclFJawndPPL4OMUvIHDiQh76SoYl0xPyw4qq1ZNF0+OWeCkD+/L0+n+UPgxqiZnVnA4g8IF4KPSxe0h928B+x262XNb7uYpXO7YNCXHCOUYwizLg3zWn8Bt+LTQY0OuSMmRN3e1p/vyJWKcfeZxQ3dpxo0PFEdlFzOxgd1ZgM0L9Ty4iM36FEP3XOA7RLqqsxjA8++/JCYxl932nPFwNDf1aNJCYDlYt6Z7GIGJb+LJbsssU1fXzanidU4cegkVbPgtFTtMhXJLdtm8i9Sb0143357IUr5JSroALESRCLDoe0YND2yDx9U9L1McdxbcM6MiLyCQRVu2kIqlJmnkEaxr/UHhWYrlVCgBnh85j+WdlV40Mnw5eKIJYD/w/lmUO/XDFM9Ua8nL5rxJbd9ZzFJZ54cLTruy79wWY09PFNVMvvaFc+Ajr/PRZgEmiIZPA88JrDYHTjjAZSTaA3zXonqqCQokwN6Cp93YsZdxoQqqMJBqg1RLYtYXHFQvsqUr74SEFNERXJmgBUfo2viq8NYPngLasFiwhnmgLyuPC4zkNpkxYYX4hf5z/NGtd/2J7qkAbihpqxDVQu6/hTbYhbUIlaT/5NKzCF4c1hi12ZcYNg3RpoXnV49vWXuCOX47Wofgcq7FIwm+1VcbNvMTj9LfDc+WxwfHVGbx2ioq6xZCrdYNVCQ6tWU2hIrLU2w3rAGzK7Xq54WxAw=";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
