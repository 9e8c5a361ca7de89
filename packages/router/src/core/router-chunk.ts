/**
 * @module What router.mjs's request path uses of the routing core (decide, route tables, strategies, rules, request
 * features): in router.mjs a compressed chunk unpacked when it starts (packages/compiler/src/emit/router-bundle.ts,
 * ROUTING_CHUNK), as pure functions and classes of its own that nothing outside it checks with `instanceof`.
 */
export { canaryStickyKey, chatRequestFeatures, compileRouteTable, decideWithTable, ruleComplexityScore } from "./index.ts";
