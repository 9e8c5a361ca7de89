/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (10827 bytes of JSON, 1540 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G0oqIBwHzvkpPoxCJ4SSx8wcKuKfdNvty1vpPl5APLoJyJLvT7Vp155rZapTq1NXzCfGReKBuDMpzaLT1dfv3fvtrJAL3aEUFqEwHmH/3Mlke1OUVifJm4RSilpcLRa0Qpg1BuPDIhyqGYUwjteYNMZQBGRndT90AukzFJC+jQDOAdQJISE8TrVmMG1yVPPnUmIOYPUNs73N8eGLFL7Hu+88O359Owc7Xu9//DrRlWhbbBzI0MD2nqsOYGki0gEUmxDQXVdFFUVGSd7pT3wxcY2kLTn4tw2kjNSARggHAhZrk8bQEIza9DRzmHPGexqwD/5xhi1nuzkfPgPbJ4zhFhU/Fjwrb7p/7loPJ3+t2y025iBKRIaDdF5jE7ThHdhAC56sxjPwCSz10VOj1/zBgK71ZB1MDjozBjlSF+uQ34/rvKv07ItCUPJtd5UYsh20mPDacPoC0TIKxhrNvN1nF9W2bp0JnqT44yKehgo/hs01fevTVVukh0D+ipZMJu1LunOv9OOjlxkGvSLxajqrMvoacWBydI6FJTESNcoBIhZRiIKHhVDKEcyiFRiM/Lxk/MQ4F0WAvJpVa5wLTAuC94HnvpekXn502+/5YH4lQcEjG9kEt5xJ5B38h6vFekZljwcXcEbzTQECIp3GRql9wT0x8LiDICT5PIFDTGjY4OzVfRTJFpgDmJeh4NggMJPXr7vPy+f8P/wjpNLWYLrvPf9yZYm56hqhDO2MBpcNtr6dPLc8mrzxDD5ol/WrZH6MbrZqde6U25l143876XV1Hwyr9THrOCjr5nw7mYrenVseevhwRvh7lzzsHgZ9WzcfkHNEwdbbIFrUPRCnThOEi40nCbHgDEHUu42gy99x2MnNOZalH686kxyv1041leqJ2AfSEqJsto4/JwvBnLa368cg17y+HnGTYIdXlBQO+ZOmwG6rotPLaAlk64RJctRY5hjeUXAEA1tUA7Hpyg/IEl999ltypeFjfkXmNh9dQ6SLDl5eWl6/RgtjWBpwmRg/Uy77hMGmJBHVh8ZAOKuUYKlbDL86jfawhd+og6dfosW6lGRT0trYCkpuUPc0xaQXMG0+tXIbkVaqHJnKjVpKIPWJ9/JHSySWF12c2BwdBAUc7icCCyO0GEFVg60JycfDVe9TEY4Cu154gP2q8sKIG1bPKNAcIBcfzSY3cm2cHlRzsGPcRb+forVK1rrqf0FONVFVzMHUeIB3QUYplarcIa2N1FIpqwIq/+pLhu3wHXlmwFajZEu1tbFJmFbBxJSouUmFkmPeZCZuw7T44D2zsjp5Zf6hnnrYuY00Ga1uGg9NWGCiS1sae6qHJ+lKP3lg0rVqKtaJyqzYn8bJrgf/hIaFU80CsKUllpbAzsnP10FmKfkTB6IQGzGq8Cvunwm3cmuYp/2XcxYI8fNjeTrNHwT7TtiJPt8j9hen21451UN2dGn39qyjDwfZbT7TaNyPz6NRfiYB0m0hNERMBlAxndNwjU6kK29WvHu9rC48reh0whybvUBh1laYiaPOHfO6TLYIotRK1URPFJkm6P6h/iJRrvqV3hCZ9g5fa9DFE9dB2eVNGFGe+aw2yE+DpFJnipLWqCBaxx2aZQEa9pLVHwk8XjxojyoD3//2MankGFAuFtLydnsj5Q+xZFda9zX/60ZSrG5HDp35axjO9dW78k7jnr2t8k+rty5YMNF7QUp5vx6NGsEEpshh6Ac2mh5eGGFk9KNMcdzEcukMCD6MmajdtEVZCM0TkbbKvizqKKSttC7FaoBXZPwB/epIOxqLL1ackNzPcJI/zqj3PsMtSak4/QFnQsr92FlM0oWn6JQOpvNLXFaLp3rSw8i1W5FkzJZCLOIgrHWl2WPAWPVDOHDBg1CuprXAvRLW0TqrTAHoOaRYB8Q1YgzVyMJZqg2RLdMQt+Iq33KeH751M25lGtGZQaxw4LNVLwFj+Yw3ygUvE2qaI/RqejQyJraxxzY74jf5j3mr2rf9iy5pENxYV/BQ2GL0P0Vb6MH1os3Iwsxg7aRfSiSb4H0AIzmODlTEOZoIAQ==";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
