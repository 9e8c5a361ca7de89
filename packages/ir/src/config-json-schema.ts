/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (11601 bytes of JSON, 1623 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G1AtIBwHbuw0D6PQ+QgVMmu/V/ktUNImx3nl8RXmoGzEp/j+VJv2v+damerU6tQVI2JcJB6IO5PSLDpdff2+Ze2dRIboUAqLUBiPsFu/uvqxs0OKsbp7qpsQgjpcDDZogzBnDMbPLcKhkjEgjOM1Jo0xEgGRJdX9nCNIX4aA9C0AOPuhI0JCeCHamsEMyFHNn4nUCWD1DbN9wPHhswjf45078eHr2yHYYbv/4nUUKtHPsSGQoYF9aa46MAlOkA6g2ISAqlZFFUVGSd6pT3wxcY2kLdn5tw1LGdGARhYKABJrk8bQAEZteswJc8r8ngbsg3+cYfPZNufDZ2D7mDHc8h4/Fjwrb6qfu87DiV/r9hwbJ4gSkeEgndPYhNnwFmygZRqsxiPwEST10aPRqn8woLuWPAeTnS4bgxypi+eQ34/rnKv07M0FUPJtVSWGdAcVE16d3XyBaBkFY5pm3u6z82o7t04FL0by4xia5hT5mOu06RufrtoiPQSyV1QymdQv6ca1tuOjlxk6vSzJ1eJsdg8Dm5Y36PfKFZbmImaE4jEmJcLUGJM00QEpFmGKgoeOUdMrkAMrMJiJvqQ+Rb0XRYDsonXeOSOaHnJvRc/jfuzxez4cYElQsOlGNsGwZ5o0Dv4D12IteWbcnGtpjnrpjDdRkWeahQqj3SHPBi5aY206ckG96DHdBvClPg1wHBM3ZOwU7T0UyaaDPa8XQXBkLKeLr1+3zxPn/D/0I6TS1pB0X59+ObnGXG2NUObsjA0uGbL1rSKnLY8UuWEJHKzJulVy7qOSrTqNp+vtsnXDv13MtprPDmvro9ZxiK6b0+3iVOzu7PrQk4fTwt+7+rBrGMJt3XxgesF9t94Gbq5uAQd7KcDPbTxIcGKXAdz1rYAuf8f+Mm/OTjj9eMW55Hh14jSCmvEy2wJpCVE2K+UfkwUvVKv5dWOQa15fk9IgmOEVJYVjlaQqsKvI6PAyWgLZOmAS1TWWOYZ3BDvAQOaOQWy6+QHh7cvPfkuuGD7mV4Sc/egaIl208/LS8uo1WhjDUoHLwPiRcmEzFDZFt0ibNAbC4bD4aJUofnX+77kWfqOyPjcJc9IpO0DRdmMtKEFNu4cpJr2AabOpLdcR6UmVI8S6XkuRrz5jYH4njcTygosRG6KDYIDD3QSwMLIWA6RjWJuQfDxY9T6GYuez+8ID7BCWF0ZcsXpGgeYAuXhvNrmRa+PwIA2F2OuC3w/RGhOpCeH/gpxqEjN1gqnRAO+8nFLKsbljcRuppRxcC6j8oy+ZdYdvyCMDtholW9LEjVXCChUemOzJQkmtss+bTADYMC3eeW+2HrAOJ/zQnkTe2Z006a3dNB6ceMETLm1p7CmRn6Qr/eSBSdNWU7FWVGarFPmlBPPgn9CQUKpRAJaIYmEJ9Jz8fA0iUUr+wIEoxOpLK+yK+y/IrdyaS9OO1zkzm/j5kTyd5g+CfSPs/Z/vETu6020t56jIji7tl5+197lB9vfP1Bu34xOAlB9JgHRLmwaPyQAqNuc0XKMR6eb10DvXy2rC0xOdzvRj0xfIB9sSM3HUuWFek8kaQSa1mmoyTxSZJuj+of1Jolz5K72CmrYOX2vQxRPtByWX116iPPNRbRCfBkGljhQlrAmiBu93aJYFaNhTVr8lpvHifnuuMjD8F/Ykk2NAuZhLywUHRsofYMkute6XGq6Z08SqHDl0yrK5cJKyeumdxi3rdvIvVW9NUOlRX5BS3q5HvUYwgSlyGPqOjaqHKzqMjH6YKY4rOxfPgODDGInaVVuUhZh5ItJW2ZdqlEKzlQpqrAp4UuY/Rrt2hB2NxRelMssBFT37ANR7m+FqaVoc/oAzIeW+7ywq6fyTd0pHAfopLqv5U730MO/alVIZo6UQizgIa15p8DzwmPWDO3Deg1BOpbXAvSWsowKxfHUGUVYCcY0YQzWycJBqQ2TLUhZXKpavDum7r+DHldQRnRnECkdsm/LiMJaPeKNc8DKhhjlCr6ZHI2NiG1tssyF+nf88b1X7bf+gSxoEN9YUPBS2GO1PuS3+NpCNjJOmXJc7DO+PSexCxkkM+8ZIw+j06slOc0cop263BxFU3qV8uLFfhdLralaMDGtf+RR7enSYbQGisa6yZil06XKkPDmoIPblcFLP4b1hCZi11yuelgkZ";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
