/** @module baseline/production-declared — an environment named like production says whether it is. */
import { looksLikeProduction } from "@switchyard/ir";
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "baseline/production-declared",
  description:
    "An environment whose name reads as production (`prod`, `production`, `prd`, `live`, alone or as a part such as `prod-eu`) declares `production: true` (or `false`), so production protections never depend on its name.",
  rationale:
    "Protections keyed on a name fail silently on the next name: `live` would plan a preview model first where `prod` excludes it. A declared `production` flag holds whatever the environment is called.",
  defaultSeverity: "error",
  messages: {
    undeclared:
      "environment {{environment}} is named like production but does not declare it; set `environments.{{environment}}.production: true` (or `false` if it is not production)",
  },
  defaultOptions: {},
  check({ config, environment, report }) {
    if (config.production === undefined && looksLikeProduction(environment)) {
      report({ node: { kind: "environment", id: environment }, messageId: "undeclared", data: { environment } });
    }
  },
});
