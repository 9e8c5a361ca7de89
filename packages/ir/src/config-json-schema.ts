/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (10290 bytes of JSON, 1461 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "GzEoABwHbuw0D6PQ+QgVMsvfvuoXsYTZu6cBn56iOeFrU2Dx/ak57drT2pjL1OrUZfOxcZF4IJLjSrPodPX1e/d+OyvkLt2hFBahUBiDsH9mMtneFKyjt0ny7gulVVebLMIiDcIgPMqE0iyS/hoa7lllC4h+ct32DasRFKg+hQDQetQbIVE8QjUXOE16WPM7UsEFcO2dyL3JCeKVFL7zVRPr6+vn19hX235pfVP6xqfYCtTPNFShsKNue8qKzZjWrk+MQ2Ihc0pif7dCykxlaIRwIGCxPmkMLcGs7UhzQcMZ72kCImpci0JJgcSbjOEWT6LEmlCBdPw8NJ52/KrrKbYusA+i3YHap8mGTfwx2EIP1lBlsT8HS330VO724ZBA+7rKwEpinZyDHH5LBoa/cNY+V5NZG4Wg5PuOaibkEGiH4G4wtW0b1QksdHsCLWORZt7us0tVG/fOr45R/H06LxcbOUTWF3Tt0NIsuPR6LNNVX2QERoGJ9kYmHUkajnaUw5QB+A9r+TjWmfXnSBqXfFTxKqcYt5bmgBLEPqLw2VWYEROoFoXG3vyD5AXVS2elgMIXOpRcrEtbgg92+39vjvzvcvC+AkByIAalxtEYGAEPzQVarGnU1AS69gc9OMV9TmAq+6XmjjtjPnEaQabxcgKHmNCywbmsGy+SYUGNUpOIfYwtz7tvc0r53/Qjtv1YM9vHrs9f5w1NN1jNse/fzy0OyWx+KvlpuiW5UkaN1mdq3boi6WCzRu+2cD9ZV/rnMbXavy/W5lttmsxQV5/7sba3h72Hp04+7RYbtIenVWOmjnX1hc2ak1v0PkgCbRdOPycIssDKWuIUb5IgmV1KMOQfJZuU9pKi0u9HnJuOH8ZuJJqRpnYdmEtIM+wMf0wWcjjrXqfmINfCPo4gWgAAZuVFMvnE2I8qThBqH1QVOpmpbE0CcAs4goktY2GDaM9PPKu7/53fkiuNIPidZ1ofols21qzY89vBg9doYQ4r16ya8apys0V2xTSp42pBZSgyC9Skp0Ncujnt9YCFP5lix0mi5bE0KaZJZmX/pnl/2XqKmS8DxaJl4aM/ParqmIUcr6XJoT1RXgHpzglXCVZv6Tga4OSxJLAwQ4sR1CTEuZC5XDz1fqrB/97+Ih2+gFQ2eFHteGGyJAKS44gx29JbUIVcoOHLun0L92rk+lEBAPfLWaXqkztKNcguVacKYPOXvmT4F99TVMNyBU1bC6iVHcWECjSTo8ymRUdJeJOTbozU7Ng7dyrlFLnlt3LKYXt33hRd2UxunNBhSTe3NPlU4k4yln7x0LRv0WwsEZWd+n2aKHwg6Clkv4c6BeDFE3xOUmGawKsMRYQJ97/9xpgnMHwB4zore/yHqz1ddDd20gR3ODi3GlVKVLeAQffWnpewzl4XNbjETZBOzoJZMhcHsXJBnHbpWa8zF1tVczNmozo3fELg/VP5pYu6qip20Svtt97UpN0TPydll0vrUaH5KVkwuQpmRHaaozm5Se9sRLQyC+jACyk/JfB8db4jqhG8/+s2WoYAaM6WbMkaMcj62Up2XvyGBRFp4HQ4cukkUgNw2qiulR4qd+3qB/eEeuvDa+/HcWmSwJxy6NJjSmEmhSVHoscMuhZZYwcFufAU573av4FTFdzFRHnlEaCmhdqgruNnGjW0FQF1hHMz/sAdy8hLK9sZbzIgA53kJP86qd77brcLoeD8mEUTsu6R1+Ia9j8lPHT8lP9hUQ2ZltudMXjtNqGA6XRIRhwGWni4fkyYK0cclvd7ssoFtJ6JL0R2tLWmkESQ2bBkCg5QoNepNkUhTUDcjhtsu8dH374KtxuJGK3BsPhgV/NfM7f8s6ioGLwhGD1HGLYMWWoguUlshUPmw/xH06uOjX9xS5qsNdaXBadyAaNO1iYWu92cF9mAF+yh81tJdFHWpy06wbDpifw7GE8A";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
