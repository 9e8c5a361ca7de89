/** @module The `baseline` pack: resilience, ownership and hygiene every environment should meet. */
import { definePack } from "../define.ts";
import deprecatedModels from "./deprecated-models.ts";
import fallbackContext from "./fallback-context.ts";
import fallbackRequired from "./fallback-required.ts";
import multiProvider from "./multi-provider.ts";
import noInlineSecrets from "./no-inline-secrets.ts";
import ownersSet from "./owners-set.ts";
import productionDeclared from "./production-declared.ts";
import promptVariables from "./prompt-variables.ts";
import routeHasCaller from "./route-has-caller.ts";

export default definePack({
  id: "baseline",
  description: "Resilience, ownership and hygiene every environment should meet.",
  policies: [
    fallbackRequired,
    multiProvider,
    fallbackContext,
    ownersSet,
    noInlineSecrets,
    deprecatedModels,
    routeHasCaller,
    productionDeclared,
    promptVariables,
  ],
});
