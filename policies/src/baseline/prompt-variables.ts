/** @module baseline/prompt-variables — every variable a prompt's templates need is one its callers provide. */
import { promptPlaceholders } from "@switchyard/ir";
import { definePolicy } from "../define.ts";
import { listOf } from "../graph.ts";

export default definePolicy({
  id: "baseline/prompt-variables",
  description:
    "A prompt's canary version needs no variable, without a default, that the current version does not (callers written for the current version do not send it), and every declared variable is used by some version.",
  rationale:
    "Callers send the variables of the prompt they were written against: a canary that needs a new one refuses every request it draws with a 400, and the guard rolls it back for the wrong reason; a declared variable no template uses is a value callers must send for nothing.",
  defaultSeverity: "error",
  messages: {
    "canary-only":
      "prompt {{prompt}}: its canary needs {{variables}}, which the current version does not use and no default covers; callers of the current version do not send {{them}}, so every request drawn to the canary would be refused. Give {{them}} a default, or ship the variable in the current version first",
    unused: "prompt {{prompt}}: variable {{variable}} is declared but used by no version's messages; callers would send it for nothing: remove it or use it",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [id, prompt] of Object.entries(config.prompts ?? {})) {
      const current = new Set(promptPlaceholders(prompt.messages).valid);
      const canary = prompt.canary === undefined ? [] : promptPlaceholders(prompt.canary.messages).valid;
      const missing = canary.filter((name) => !current.has(name) && prompt.variables[name]?.default === undefined);
      if (missing.length > 0)
        report({
          node: { kind: "prompt", id, path: ["canary", "messages"] },
          messageId: "canary-only",
          data: { prompt: id, variables: listOf(missing), them: missing.length === 1 ? "it" : "them" },
        });
      for (const name of Object.keys(prompt.variables))
        if (!current.has(name) && !canary.includes(name))
          report({ node: { kind: "prompt", id, path: ["variables", name] }, messageId: "unused", data: { prompt: id, variable: name } });
    }
  },
});
