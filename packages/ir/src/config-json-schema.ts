/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (12427 bytes of JSON, 1761 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G4owABwHzvkpPoxCJ4SSxxGSzJrf3qb8HPQEJtv+5dOfR5gtdIcw19b31dm0//2IJgCYWKmVxgEpT5bf1W2vWXS6+vq9e7+dleupzmARCuMR9s+dTKilzEveJFtKUZRSZHECYzn4lfLtxzjWIRQI49AdMtbqa6K9hr4/Vrr+TKMCsuUl13VH4L4DAeohgI4uQkdEg3gzOpz7aZDTmj8X2RT0q5+Y7g2OEF9F+G5vWmnl8PXvKVhXv/vRcaSUOM/wL8BD9/atSrVnElzAHoCxDAbLS1lUVmgU6zV9IoyJbMRu0dG/G0seUIOOLBQBJN6YjnECGHTSAWiejQFTHqJEQMWBSX4abAoqSvxuPWaFH6rh6OHa+70Bkycc4y0X2JkprXRb/vNS61s/x80Z/qeAzQhF11WbRkJISi1HTJp+IkvPzieQlMcatWb1gwLL1pTlMzrqjiHKWbxYvvxtvNpcOOt8zoCcnpcXliG9QoWGfeAgS2A7G2cs1r32++Q83hqdet6KeM+i2brCP9ZPOfatt9MmS9cF2TIqp4zqnnjrldaQz2xmGLVb4sPW7C4Y3zjDQfcvD0WnqbBpNLyF2ESoGqKSxrqAi4mbIOJQ00Z2AoCyZ11J7cecvWGs82mMK/9c9j7UjTB8oO+UPBcZzwJ9jTBZdUmVi6nJCgHZaKugO4Me5zFv0dtxz2z4Bp+aMGdf8C+MdIKTkUhK3QATrtmbsigOzrW0R+12wqcgzzPSgoZRQMnLgrtYWtLWTYm47L0NA/h1XwYEHo0n5Bw0+xiyJFvFXuDLIARyZtStVy+rze/978qPkMp2NCatPO1d0GJefLRQ1q23I7o0Hj6UPB16LXmtDBq8zYFFmjrIch5WSy81Lhng3VvVR35tGO/XLWOjjevT89ZUvFq3bQW3ZuGAZbadGRp1O64X5AuhhPW54HLrJnD2twN87tKzBId6ByB0OA5o0z/Zd+fjOSCg/0NTmjxBCpxo1/ah4vATE6xCgdQy/NCScyxM6zWZU0ZK2YigFxg1QC2rFv8TeWR70hbmwBDlepr7YjL/9g6z4sIRW1QL2bVzcH4ZLunaOmMS25bmTe7wGg6AntzzBN8sSxuC/Fdf+cmpYACZvxB416NH8HTW0fOzy2fW0eMQ5zxdMjN+qlzygNXJdnJKHpXuhZMCNUkmYwjgKujrPe5Sua9BwuIRypFQzqG0Apb4rdrzFGJfdGoz5xVXEnGpShFN9tctyNfXTUzvHxJfdrjYzynaDg7Y2c0AHgfW7ICkFKsTYpCJ1boOF9nvXfZCBNwsLm0nYc3qKQWkC9CFh7Mxjjwa5wfJOISZHX4/R/ucXNLi/wU5LYnuNgWuTn2H7ZqoUqbRnZHciC5lIiuA5ow+J1YeviVPDehqZG1JlpfWCdtVeGZypEwlwczudjT3YAM1++grVlZFDuCC/1UnZ9n6xE2GqzaSlxtPeYazWxx8Ws6IIhZ/971J20qjsV9UVtZq0rMJBOGfMCEhK2EAFspCcQkUnezoAxmmpI8cCEWsQVXCsLifBd1KrvU0u/l5yiQudtyVp4P8jrFvhXMgpHvDzf3peaVcqSM5vHR2gqTDr49y1oNEw3FDvgxK/qlEn26B1+AyGfoKCZ3u2GhFlqVV4WHlpNjwkpJO653GdRykom05oTDs3DKtzWSVIFKtZE0EReFp6t5v1c9PpUqd6XXkuHn4Ub1On6j0SiEtM2VJhGGJujZGd1JURnLJkADAMD2hefeReSHGLgTGOtqV0EwFAtp30tNeIKU97fZbYhruxttx4ePpvwwr2SgDzNnccq4cMaI+gTmFhQm/UNNnNgFbHvCha8+th6vNrVyKqnTTlY0C2661t0HJzspjXPL7JkHPF1RglByIfmSj+kRdjpXBJtPGYV2sE70Xq8pJpZ65gMDMp+DPFNEjZFiEwypFUp+USe6pxMqK8rJkYdUSTv4YrLQgoHhqJ6DG6wKA1rUBddVVFY4FQZoi6n7wJMqt/WZC/xYnGspJcedyhW1juQ5X7phnXz7IxMS8vZqOo0lJTFvEIgyCNUd359zzkEGFa9XunqkX0RsAXxHSU8VhuuqUIC0BuYaMuzXS8A7V+5Eu21lC7WG66rVfvjIxV6NJiCbgK5wCcOGL55o/exAkg2cKNc8BhDVCGhojT8J1sJqeN/nHVaPaHTyDztZzbqgtiCh0MdqvfIesh1LnyiSgudB7Gr7eYBxiwoUP68ZUw+qsKFfPTR0qtbCudu+Wd6lHL+2XoZZ/+Up1O8z98nq5Ij49TLcCpKGxjLwsvkr+cJuxT/tb54b7UNJT5igg9Kqr/gOV/YXie1++KVVAPm6QHIWOD/j7Ro8M";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
