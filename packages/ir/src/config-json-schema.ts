/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (11416 bytes of JSON, 1606 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G5csIBwHzvkpPoxCJ4SSx6zc71V+C3RpN+F75fEVJlA24tP5/lSbdu25VqY6tTp1xXxiXCQeiDuT0iw6XX39vr3vToQMdIdSWITCeITN3NnZw3//pXVFaXXb7FJKUcHVYos2CBNjMP7lIxyqGQPCOL5EaYyRCIKg2t4PHkH6NAWkbyGAsx91REgIj1GtGUyXHNX8mZQ3AVj3htneZfjwWQrf4911nh2+vp2FHaf3P24dKSXaOTYCMlxgX5qrDmChC6QDKKYQUNWqqKLIOJJ36hNfVFwjaYsO/m0DKSM1oBHCgYDF2qQxNASjNj3NBHPOeE8D9t4/zrD5bJvz4TOwfcwYblHxY8HT8qb6uet5OPFr3Z5jYwJRIjIMpHMam6ANb8EGWvBkJc/AR7DUR0+NXp2DAa31ZB2MDjo9BjlSF+uQ3Y/rnKv07I1CUPJtVSWGbAcVE14dTl8gWkrBWKWZt/tsvNqeW2OCJyj+uICnwcKPIZOmb3y6aov0EGi9opLJqH2Jd659Pz56mWLQyxKvprIqo68SByYH51hYEiLRRdlDRCMKQfCwEI5yeLOoBQYj35GMnxjnogjQqqbVGrMExgXBroFnv5ekmh+V/Z4P5lcSFFZkJZuwLGcSeQP/wWqxnkHZ48EFnNJ8k4MATyfZKHUvuB0dj9sIXJJPEzjEhIYNzl7dQ5FsgdmBeREKjg0CM3H9un1eOuf/oR8hlbYG0319+uXyPuaqa4QyuDMaXDLY+lby1PJI8sYxuKBd1q2SuTEqturpvNrfTq8b99sJp6v7QFitj1rHQb9uTrcTqejd2f1Dmw+nhb+3/MOuYdC1dfMBOYcXrL31vEW3B/zUKQJ3MXmS4AtOE3i9Wwm6/B27ndycfVn68YozybF6bVTTUT0Re09afJTV1vHHZMGZc+3tujHINa+vxcsk6OEVJYVd/qgp0Nuq4PQyWgJZO2ESHCXLHMM7Ao5gYPNqIDat/IAo8eVnvyVXGj7qV0RunegaIl108PLS8uo1WhjD0oDLxNiZMtEnDDYFicg+JAPhqFKcpUoMv3Ma7SELv3EOnn6R5utSkE1Ba7IVlNig2dMUkl7A1K2pDbcRcaXKEalcr6UA0j3xXn5vicTygssiNksHQQGHu4nAwggtRpDVYGtC8vFg1ftQhL3A1gsPsF9VXhhhw2oZBZo95MKj6eRGrpXTg2wOdoy74PdTtEbJmlf9L8ipJqp6E5gaD/DOyyilVJU5pLWSWkplNYDKP/qSYTtsR54ZsFUp2ZJtTTYJUyqYmBI5N8lQss8bj8RVmBYfvD1Lq6+jC35oTj7s7EaajNZsGg9OWGCiS1sce8qHR+mKP1lg0rXRVKwVlVmyP46TXg/+CQ0LpxoFYEtLKCyBnZOfr4GMUvIHDkQhNmI0Yl0x/0y4lltDPO2/nDNBiJ8fydNp/iDYdsJO9Pkesb843dZyqofs6NLu7VlHHwqy23ym0bgfn0ej/EwCpNlCqPCYFKACOufC1fpGrbxZ8bZ6WZfwREWnE+bo7AUSs7rETBh17ph3yWSLIErtqJroiUOmCrp9aH6SKFf+yt0QGV8dvtagiyeug7LLmzCCPLNRrRefekGlGylKWONFDdbvcFnmoaFPWf2WwOPF/faoMjD3t49JJkeBcjGXlrfbKyl/gCW71LrN+V8zkmJVjhw689cQnOurXnonuWfdKv+UeuuCgon6gpTy63rQawQTmCKDoR1YaXq4MELJ6IeZ4riJ5eIZEHwoI1G9aQuyEJonIq2VfSnqKKStVJeiNcDLMv6Afs0IO5LFF2ecG4HCmH0I1Ps1w5SkNDj8AWd8yu3YWUzS+SfvlA6m81NcVvOn2ulh+NpVJCmjJR+LMAhtXmnmGDBm/eAOnPcglCtpLXBvCOuoziqTA3oWn6wD4i5iDFXJwhmqDZEtUxBXcZWvnOe7r27GVKYRnRnECgc+W/HiMJaPeINcsDLhTHOAXpceFxkV23jFVi/Er/Mf81a1b/sHXdIguKGu4KGwRbn+lGvxt4FsbEiacnnrHLw/JsGFTBcx7BgzjUWnXc8ZmjtCOXW7PUig8i5VuMl+FSqYq9k5fQnvyqfY47PDbPMQDQ2VNUvhVgAHqny9Qlxblyb1HNYbloDZ9XrF01IhAw==";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
