/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (11776 bytes of JSON, 1652 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G/8tIBwHbuw0D6PQ+QgVsnK/V/kt0F27Cd8rj68wgbIRn2I2tape/X0KVaxSrLJsFhsHiQHxbz40i05XX79vWXsnkSE6lMIiFMYj7Navrn7s7JJi7DBVTQhBhZBk0AZhzhiMnzuEQyVjQBjHa2SWL6l1RUCkybmTKUeQPo8C0pcQwNmOOiIkhGdSRzOYHtnV/KmUWwKw4X9me4/jw2cpvPd3bayHt097YUPt/kvnkZLDOse/gIwQ2Jca1QksdIF0AMU6BFS1KqooMoHkHXrHFxXXSNqynX/bQMpMdWiEcCBgsT5pDC3BrO1IW4KGM57ThH30izOsPtrGeHgPbB8xhkvs8WPB0/Km+rhp3R34NW/P8b8EokRkOEjHNDZhNrSakSDaD1btEfgAlnrrqd6q/2BAey15DmY7nTcH2amL55C/HNcxV+nZGoWg5OuqSgzpDiomPDvcfIFoKQVjnGberrPzalvXTgXPpvjlEF6mZL5NXXLoa5/O+iIjBLJXVDKZ1S/5xl3XjncvU3R6WuTf2cnsFgY2L2/Q75UrLLUiZoDDfUpKhKkpJoVEx6QohCkJHjommF6RHGiBwUz0S+pT1HtRBMguauedM6L5IfdW9Diuxx7f5+0AS4KCTVeyCYbdaNI4+Ddci7XkmXFxzqU56qUN/ydFnmkWKpR2hzwbuGi1tenAjjvRY7qMwJf6NIFDTGjZ4BTtNRTJpoM9r+eh4Nggp7OvX7f3I8f43/XFx1xnZ7ztnr45ugup2Ow+T9noB5zSefSl5OnIPckbpVdvTZb9xqV9VDyq1Xi8u543b/S7s9Vm88l+Hr3XX+h08+Z0PTtmuzm6u+vw7jD/87a729R3ap03b5hecN+115GbG7aAgz2XwM+tPUhwYucRuOtrCYb8GfvLfDg74fQlDK7K+6Jghb4zd24Q8mF8A/fbegrfN6cUssx6ReZ0UaBrZJ5HchozS20OfkwW/N/QwCybg5yP8rk4GX49vKKkcJSUVUJ65ZwcXkZLIGsHTOLJ2qLJ8PaAI5jYHEGITTvfIbB+8dVvyZWGj/oZwW5/9A8iXbTz8tLykTVamMMPRksGxo+UC9hZm8xl44RNbSAciIt3WInJCc48PtXCd4L95k/SwgPKS1CcX1v/SjjV7GFKSS9g6qx5w3VEflJZBHfnaynmDs9VaO8ekliecDGfvbTjDbC7WwgszNBiBBvBgwqSjxur3kdv7Pa2H3iAi6LZwkgrVs8o0Bwhl+5NJzfyTzk8SIAh6jvh10O0xMiSiv4vSLFEmrklMDWe4B3XopSye24XcCW1lP1rAJV/9CVDd/iGPDJgq1KyJUFdWyUsUMHAmKcpJanL3nY29aDDtHjnndVKBFll/qI5KcSjL9Kkt2bTuHNCh4UubXnsaQkhS1f+wQOTpo2mYqmorNZH7KUE8+Cf0LJwqlEAFqdSYQn0nHx9TmSUYh04EIVY92mEXXG/f7mWW1N5uci3ZU4VX9+Wu8P0QbBvhH0H7O5xEXu67srZMczRpR0BTHufGmSnAaPeuB2feqT8SAKkW1RVeEwKUKk5F8JVGpF2Xom9rJ5WE15zotM5hnT6AploXUoojTo3tDWZrBFkUgdTTeZJQKYKur9rfnrKKnMWrt3mrcPXmrS74/2k7PKqj3keLM1oHwpHQW0UiYbhpcRCUajhnZWQzxHu+jzXbwk8X13viCo4fX8dUtI/CpSL+cFcH6Gk/AaW7FYC/MrIOSNJdOXIoTOsTYVzqnWXE6rdsttrjLnqrQkKU7onpJR3BpKuJpjAFDkMfcdKfcUFKEpG38wU54Wok2dA8KYMX/X6MMlCzDwRaa3sS/FModlK9T9arT0q4wto14xYpbb4orJnPkEB0jYE6r0md6U/DY6ZwJmYct+3iUo6/uTS0qZFP8VpNSesk+6mnbvKL2WIFWORBqFNRt06JsypQvgQxz0J5VhaD9wbwjqqZ7Mri0iyEoiHiDFUJQtvUW2KbJkLcZVtlmVT33n1Sa4CkOg0ECtsMDfmxWEsHyYnueBlIhjmBL0hPSEyKraxxVYb4lf5jaZXHY/9gy5pEtxUU/BQ2KK0P+WO+NtANjZkWrmMuA/e7pPgQqaLGPYbIw2j06nnZrWOUA7drncSqDxLtXNtvwqV4tWqdhrWvvJ5+fzoMNsiRFNdmaY2wkrrRDV1VPDsq/ekCMR7wxIwh14v/1jppgA=";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
