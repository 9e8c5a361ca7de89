/** @module The `cost-guard` pack: price ceilings per route. */
import { definePack } from "../define.ts";
import priceCeiling from "./price-ceiling.ts";

export default definePack({
  id: "cost-guard",
  description: "Keeps each route's expected price per 1M tokens under a ceiling set in the pack's options.",
  policies: [priceCeiling],
});
