/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (10486 bytes of JSON, 1505 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G/UoIBwHdjPXysWGzeBEeMj3Z6uqT79nUmllWnl2+TCa8CDcDStm+dtX/SKWg83zgE9P0ZzgTcGXNItOV1+/3EubE5LSHEphEQrjEfZ2N5vrTVFa3ST/JZRS1OFqsSAs0iAMxmB8OBQWSRdOYmtolVIizRWBeLn5gRWpPkVB6GsI6OxG/aFNAo9SWwuZFj2q+SMpdQFZeyNmb3F2eC+F73SZRZ79fn37ATszW/+E8kc5qn2MjaD3WYQmAnbWVU9FmRlkHfukN2QVQlOS+ecNpIxUgkYItwQs1iSN7YJg1EVPc8GcM97TIH3wjzGsP9vmvPnM0t5nbG9R5RNgobbp/LlrfTjyXpZjbFwAFVLDUTqlmYnR/hJsoAF3VuMeeAuW+uip1GrmMEDHWsoYSzKdGls5EpeMEX86rVOu6NkZhaDk286KGPINtFjwOKDu0LnqABY6tEBgLNfM2312UWvrrXOx4xR/nMvTQMePQZdNX/h01RTpKdB8REsik/4j3bhb28nRyQCm5zW8Gm/N7nkCjRs52sdqkpiKVuRQEAAKMfLiIczgCHsRJMZOfEZyfuqciwpAsxY6atwUlwaCn+NOfo+kbn50+u/lYH0lSfGMC5qJp91MkHf076wWaxnFnjBXcqD7pgCAI5nGTmlW4K4YWFxHEHK8m8AhJizY4PzVLRTJHlgClCeh4NgAmPH5aft5Uc6ffT+qphtKYnPf/f/LJbVueyup6gZ2PjY4J3Hra8n/LQ8kF4FVqKzJqlXjgUcnt2pt3K63U2URfjserDTvr8rWB63rRC2L/9vxprO7k+tDFx+Oq/7eoQ/bVolhKIsPxjlHuehtEA3aFhyHThKEg407iWO9KYKodiNBl7+TsFI2l1iVfrzgHDl+XLuhaYaewj5ASygy7B2/T9YGc9bfrhpbubb1pah0Ak6vqCoS0iddAe6rot0rYilltMM0+WmMOaF3ABzBwBbVMGw68gNngU8/e5VcafLAr5yZzUTXDOmizMuj5dlrtHZslw5cO8b3lMsu2WFTEsjVhcZEJGvUYKlTHL85m+xBa39jDo5+lhbrUhJNSWljL6i5Qd3dFEOv0ITm1Mp9RHpQ5chULtdSAmnPWC9/tESwPOMyiX2ig8oAh9+JwNoRWoygaiHehPBxZ9X7VESiwI4XG/DppvLSiDtWbyjWORAuzg3DjV6D3cPVGj7h2xm/76IVRvZ10/+CtukbmqkLTI0HeqflmlIpyh2yGtSWSlUVaPlTXzJ8h28oPSNmxZCt1dTGLmFSBR1TouamFUiJeZOZOCZpceZds7L5Krrgh3rqYSd31ZRb3TrunRAw0dGWlp7q3Um90k+emDatWouVojIr5qdlwseBnp/st1CzAN6TEktL2M/pz5dAZin5EwfSkHdSVDGvuH8WHLXWIE+nT85ZIOSf78nTaXtVuNOpuZ1ZwOQPKBeDj6UL+sOOvAfsVutlrW9bzNJ5u2DQlxojVGOIiy4N83p/Abfi06BGu9yoCVH3D/XXO3KVYuw+s7Sj+1iDhieug7LL1fiozXyCFqRaQX5kkx6N0IMA2E+h1mSBGHj15YcEHi9ut0fFwJe/q0eLEoDIxaIz2cUMan4HS3ZVYl++vmSkgdXp1KEzqRqEs6XqXqWiccvuZvBPqrcmvG+/+0KV8lNUNABiI4hGTkLPGHQ9sg8fNPTdTHHcW3DWjIh8gEkV7tpiJpSRp5BGsa/rDwqNVlpCgTrgxRl/kHZVRNCN4cuLIwj3U5zkj1Pq/ZzhVk/UG8mLZULNPe8sLun0U6BFx335Fy6rIcJzq0qGrt3iGTDwD6WIk0BLJNPHgLGAxeHAaQ+gXEZrWPZKTEdLgjIFoCfRuhMLbgUTqqAJp6k2RLNMQtzioHwrU776loC4RVSkZwZY8TG6lr4GjOWTt6gVPCZMN0f0tfpYYSCzyYwNT8TP8x/zRrXf9ie6pAG4saZsQzULOv+U3MIyt+sLI2sIg2WAflWM7k32AYzmODZQ0ckRUgQ=";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
