/** @module prod-safety/approved-providers — only providers on the allowlist. */
import { z } from "zod";
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "prod-safety/approved-providers",
  description:
    "Every provider is on `approvedProviders`, a list of provider kinds (`openai`, `anthropic`, `mock`) or provider ids; an empty list (the default) allows all.",
  rationale: "Sending data to a new vendor needs a contract and a security review; the allowlist makes that review a required step of the pull request.",
  defaultSeverity: "error",
  messages: {
    "not-approved": "provider {{provider}} (kind {{kind}}) is not on the approved list ({{approved}})",
  },
  defaultOptions: { approvedProviders: [] as string[] },
  optionsSchema: z.strictObject({ approvedProviders: z.array(z.string().min(1)) }),
  check({ config, options, report }) {
    if (options.approvedProviders.length === 0) return;
    const approved = new Set(options.approvedProviders);
    for (const [providerId, provider] of Object.entries(config.providers)) {
      if (approved.has(providerId) || approved.has(provider.kind)) continue;
      report({
        node: { kind: "provider", id: providerId },
        messageId: "not-approved",
        data: { provider: providerId, kind: provider.kind, approved: options.approvedProviders.join(", ") },
      });
    }
  },
});
