/** @module prod-safety/team-rate-limits — every team has rate limits. */
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "prod-safety/team-rate-limits",
  description: "Every team sets `limits` with at least one of `rpm` (requests per minute) or `tpm` (tokens per minute).",
  rationale: "Budgets settle after the fact; rate limits keep one team's burst from starving every other team sharing the provider quota.",
  defaultSeverity: "error",
  messages: {
    missing: "team {{team}} has no rate limits; set `limits: { rpm, tpm }`",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [teamId, team] of Object.entries(config.teams)) {
      if (team.limits?.rpm === undefined && team.limits?.tpm === undefined) {
        report({ node: { kind: "team", id: teamId, path: ["limits"] }, messageId: "missing", data: { team: teamId } });
      }
    }
  },
});
