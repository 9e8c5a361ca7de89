/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (10795 bytes of JSON, 1536 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "GyoqIBwHzvkpPoxCJ4SSx8wcKuKfdNvty1vpPl5APLoJyJLvq8tp134lmHAinFgX/1wckPxkuY0LzaLT1dfv3fvtrJAL3aEUFqEwHmH/zGSyvSlKq5Pk3YRSilpcLRaERRqEwRiMD4twqGYUwji2sVFEwIqxEvV+6ATWZygQfRMBnH2oE6IRPE61FjBtelTzp1JiDmDtjYi9zcnhkxTex7vvvDi+ffsZG17vP/w60ZVoW/w7jD6T0ITA7rrqqSgyo1kn3/ENSYW0KYn82wZSJmpAE4QjAYt3pik2BJM2A80clpzxbCP1wT/GsOloN+fDZ6b2EVO8RKVPFAuVTffHXevh+K91u8W/OagKseEgndXExNre6kaKln+wGo/AB7DU25YaveYOAXStp8yxJNKZKcqRuGSO+P20zrpqz54oBCXfdleNIdtAiwVPgdYdvVQdwUJXLVAxVune+nV2UWvr1pnYSYo/LuB5qPBj2FzT197OuiIDBPJHtCQyaT/SnXulnxydDEB6SeLVZFa9ZwcaF3J0jFUkMRYtyQEhiCrEwIuFMJMjGEUUGBvxOcn4qXEuSgB5LXTWOBeXVgTv4858rUm9/Oi238vB+kqCYo8LiondbiaVd/DvrxbvGdU9Qa7gQPNNAQBHMo2NUvuKe1JgcQtByPFxgoBkaNgR7NVdFMkWWAKU56EQ2KEwk9evu89L5/w/+CWk0tZguu89/3J5ibnqGqEMbYwGFw22vpk8tzycvPEMPmiXtb/JPI5utmp17pTbmXXjfzvpdXUfDKv1EX9xUNbN+XYyFb07szz08OGU8Pcuedg5DPq2bj5YzznKRW+DaND24Dh0miAcbDxIHOvNEES1Wwj6/J2EldJcYlX68bIzzfHz2k1NM/VU7QNtCUmGrePPyWMwZ+3t2inKuayvRtwg4PCKsiIhfdIU4LYqOrxClkJGB0yTn8Y6J/AOQyAY2aMaVpuu/MBZ4IsvfkuuNHrgV87M5qJrVumiyMtry8vX5HGKPwZcB8aPlMsu2WBTEsjVhcZAJGvUYKlbDL85Tfawx9+Yg6NfoMW6lERTUtrYCmpuUPcwxbSXYWI+tXIbkZ5UOTKVa3VLIO2J9fJHS6SW512c2FfaCQrY3c8EHidocYKqhVgT0o/7q22bikgU2PUgA95vKi+MuGH1gmKeA+Li2DC90WtweLhawzu+nffrIVqtZK2b/hfkVBNVxRxcnUd452ScUinKHbIa5JZKVRVw+VdfMmyH7ygjw2IFNVurqY1NwrQKBqZEzU0rkBLzJjNxjNLiyHsWZXPyyvJDPfWwMxtriq1uHg80rDDTtS1NPdW7k3ylnzww7Vo1F2tEZVHMT9OEz4N/QsPCVrMA3pISS0vYzunPV0FmKfkTB+KQN1JU4VfcPwuOSmuY5/2TcxYI+eeHcneYPxj2nXgn+XyPvD843fbKqRyyk0u7r2fFPhxlt/hM2KSfnCej+EgKSLcFEIiYAFCxOWfhgk6kK282vH09rS48PdHphDiYveDCLFaYiZMuHfO6TLEIOqnNVNN5YtiEoPuH+otEuepXdkNj2jt8qVFXd1xH5ZA3YURl5rPaID8NkkqbKWpaY4JoG3dYkQVk4CWrPxJ4urjXAVUHvv/tY1rJAUguFtLKdnmQ8/tYciit+5r/VcMmVndgh87sNQzn8updeadxz95u8k9r6114QUTvCSvl/Xo0amQhCEeOQo8YND2y8AEU9IO0NG1iuWAORD7ATBQ3bVER8sxTlUZ1XxdtFJqttO4ENcDLMr7A/epIOxqrL68oIb2fYZM/zmjb+gy35KTe9EckE3LucWcxSedu0SkdLOeXOK0eT/XYw8h5WHEEZkshFXEQaF1p9hgxVf04HDjnUSlX0jumvRLR0TqqTAHoGaRYx4RbwgQqKMJZqo9JLNOQsKIq33KeH751M27lGfGZQa34wGYrXgPG8hlvVApeJ8wwR/i1/FhiILGJx4Yd8av8xrJTHdr+TRcbFTfSlWWoYgH9T9EWFrldlBlZeBmsnfRLiXQTvA9gNMexgYr8GfQs";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
