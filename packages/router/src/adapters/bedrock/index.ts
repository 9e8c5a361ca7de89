/**
 * @module The AWS Bedrock adapter (Converse / ConverseStream). What every call needs first — the refusals — is here;
 * the calls themselves (SigV4 signing, the event-stream decoder, translation) are in converse.ts, imported on the first
 * call: router.mjs writes them beside itself as an asset, keeping its 150 KB budget for releases that use bedrock.
 */
import { loadOnce } from "../lazy.ts";
import { DEFAULT_MAX_SSE_LINE_BYTES } from "../sse.ts";
import {
  type AdapterFactory,
  type AdapterInit,
  type ProviderAdapter,
  UpstreamError,
  classifyStatus,
  parseRetryAfter,
  toUpstreamError,
  unsendable,
} from "../types.ts";
import type { ConverseClient } from "./converse.ts";
import { bedrockRefusal } from "./refusal.ts";

/**
 * Create an adapter for AWS Bedrock's Converse API: `region` signs and picks the endpoint (`baseUrl`, else
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME or AWS_ENDPOINT_URL in `init.env`, overrides the endpoint: endpoints.ts), credentials
 * from `init.env` as the AWS SDKs' default chain finds them in a pod: static keys, web identity (IRSA) or the container
 * endpoint (EKS Pod Identity, ECS); see credentials.ts.
 *
 * @example createBedrockAdapter({ providerId: "aws", provider, apiKey: undefined, headers: {}, transport, env: process.env })
 */
export const createBedrockAdapter: AdapterFactory = (init: AdapterInit): ProviderAdapter => {
  // A failed load (an asset missing beside router.mjs) fails the call as the provider's error and is tried again by the next call.
  const load = loadOnce<ConverseClient>("the bedrock adapter", () =>
    import("./converse.ts").then(({ createConverseClient }) =>
      createConverseClient(init, {
        UpstreamError,
        toUpstreamError,
        unsendable,
        classifyStatus,
        parseRetryAfter,
        maxMessageBytes: init.transport.limits?.maxSseLineBytes ?? DEFAULT_MAX_SSE_LINE_BYTES,
      }),
    ),
  );
  return {
    refuses: (body) => bedrockRefusal(body, init.providerId),
    complete: async (call) => (await load()).complete(call),
    stream: async (call) => (await load()).stream(call),
    async close(): Promise<void> {},
  };
};
