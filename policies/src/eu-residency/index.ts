/** @module The `eu-residency` pack: EU-bound traffic never leaves EU-resident providers. */
import { definePack } from "../define.ts";
import euProvidersOnly from "./eu-providers-only.ts";

export default definePack({
  id: "eu-residency",
  description: "EU-bound routes (residency eu, or sensitive data classes) reach only EU-resident providers along the whole chain.",
  policies: [euProvidersOnly],
});
