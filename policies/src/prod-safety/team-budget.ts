/** @module prod-safety/team-budget — every team has a spending budget. */
import { definePolicy } from "../define.ts";

export default definePolicy({
  id: "prod-safety/team-budget",
  description: "Every team sets a `budget` (USD per day, week or month).",
  rationale: "A runaway loop or leaked key spends without limit; a budget turns a surprise invoice into a 429.",
  defaultSeverity: "error",
  messages: {
    missing: "team {{team}} has no budget; set `budget: { usd, per }`",
  },
  defaultOptions: {},
  check({ config, report }) {
    for (const [teamId, team] of Object.entries(config.teams)) {
      if (team.budget === undefined) report({ node: { kind: "team", id: teamId }, messageId: "missing", data: { team: teamId } });
    }
  },
});
