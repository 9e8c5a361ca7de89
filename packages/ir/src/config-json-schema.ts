/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (12233 bytes of JSON, 1751 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G8gvIBwHzvkpPoxCJ4SSx6xcKuJrO/WU7Kn+ffrwAKKSzgKIm3xf1Zx27Nfa1FPb1CHzy0JMAnwgmJhXmkWnq6/fu7ff+RLfHUphEQrjEXbnTiawb5dWa9oklFJUKU0WJzCWg/9S5i/GNIdwCON4mWa5svVVUiwJEF2sPZlyAurzKAB9CUE/21EniAM8k9qau+mTvZo/ldIp6Nb9z2TvM3T4LIVf7c1V3jn+/LQf9p3d/XbjRMlhbvEkQMPt7EuTWQYrXcAdADEFgWZURRUFxuG8Qz/SRUU14rbo4F8N2gvVYBXKQsAai1uVFUGx1YaA77uDYI0iKgQTEo98N7QpmLjhm2fEvN+pYfXl2vv9MxB5xCpvMEBnntSSrfl9bl0P/Bw3WzxNAZcRhqanYxoFISitZsSj+ecxeXI+gHV8mKnWqncQoL2WLJ7RQecV0Z14sXjZt3gd82CsrdEJejs1g2NIrVCd4dmRRAlcp2SMsUbM8a4Zh7d1Mtp5NsUvB/N2SuZj6pRNX3u/XbpueiBTRtWUUdUTb9zVdrxjM8Wgp0X+nZ3MLrC9cX6D6m9SzWkuZAYpbiEuEaKGiOQi7aGiYiZIOLS0kpsAn3xjSo7Nr7nHwldbc5Wdf4xv3jecaehA3Tni7PGdCvjWCRarJ2lysTRFASATrZVzY8/jLGYN+nG84zV8n/dMWLIruBdKMsHHyCSkpv8bbj1asiRenFfaHKXbGf8HWZ5xFiyU8klOFrzFZEGbsmbasvN2GYFb92mChOpYcSAp9mvo2kwVO4HPQyFxgE9nX72szyN6/9v1u495GY3x0j1/c1QNqdhoPk/Zbxuc0rj1peR5yz3Ja0fvvDVZ9hCnG6PhVq3G4/U0bvzl7852NppP9mPrvR5Do47r82l2zHY+ul47vB7mf97W66a+0S3j+gHxQiShPXket9sCvv5cApc7eZLgT88jiBzWEvxtn7HrzptzPEBfQlGqHEGKm+g7c8uE6BPz60QCuUX4vjmlkHnWKjKjixxdI3Lu8WmAWFol/jcKgf93DcyyIvpqls9DZfoV/RVFhQO2qBLSK+fg9DJY0rN2wiS0TWZN7m8PJILM4XiCbdrtihh/yc5Pbz5mFB411yDu7kUnsHTRwctzy0e2GlLkHrMlE2NnyuQOWJvM5eDcUXInnBMQb7RRk+McBH1qyHec1NdFooUjlCKhlEOy/pXwre5pCnEv+tRZ88p1RFyocgST5xse47uHTczvHhJbnnA1n/107A1wst8ShBRYD4J90gML4o8ba/McLbLb2/5MA7wrLm8fYcVqCQWcPeDCo+n4Rv4ppwe5OESZJ/zdFC0xsmTF/wtSLJFmOgVhwbm/45qYUqLR7JBciS0lIivA8o++N+gO25BnBmRVcrbkypNVwlxTTEyJjKnkl9nbjqceVJAWH7yzsyhCVpm/qCdlefSJmoxWN447O9bY0rktDj2tZkTxit9tZ9K0aiyWqunOUk1+LoEc/BNWrOwjCsA6WSgsgZ6Tr8+DjFLyBQ6EIZagqrAr5ldB11JrKm/ffZ4zh4uvb8vHi/SOsG2EXSDku+Hd/nTq6oE6soNLOyfIOvpU0Z0eZBqN2/FRUMrPJLo067sKj0nRVUjm3H6VRqTdFoUvGzfDhCcKOi13KpdxkInWpYTCoHPDvCaTNYIItSNqIicOmqre7bX+9FSuzJm7jBy3Dt8q2/ojj2yc2ipTkTwY0rXqtakCDu5Kn8ynurHOn07g5eBCeQsAyNUIKatqUk4w86VoBrWcx/iSERQY7cgabgp2ZBMJXkrAi+Pd4FwiSSducV09l0u9mddnCX9L4PJxvRsMsRv4q8aSPFOAXCyK4EIXJeY3sLe0jiLyds0Vfm4SOnSovKlwcLzuMmrJLbuLvp1rczRBhVH3GpXyrlTQUQcRGCMDoQysXxS63iLBXzfTa1nGO3nRCR7K4F9vTYIkhOQJS2t5X6qgCkkrFXJpbd7Ihn9AuzoivWT2RYnWfIJKsm0IbJ7NtKnhqjjiBGV8zO3YWVTS8XtAQHuf+iluRriwHb9Oe5VK+JQBqg9FuAttKu/WkVESrfDAjjsz5RjGAtgrIR0VJuYrYgmSEoC7gHGvShLeokWuZJkLTSWK+YrcfviqyUwpJ+GZga2wp8DRLw5j+SRDkAqWJ5xpDuDr4uMCo2NJWGy1IX6V/zEtZptt/6C7Z8YNNQUNhSxK+1Nui6lQEV1NnprrwQfgZR9HkkYXNuwZMw2j0xkH2c0doRy6nnYSmH7TsvVkvwol/81OETysfTOvasRnh8nmARoaKmtiyC2ZD5TFe5XrtvZRSmisNywBs+v18o+Vbgo=";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
