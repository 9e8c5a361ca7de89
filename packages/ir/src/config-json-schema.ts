/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (10477 bytes of JSON, 1496 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G+woABwHdjPXysWGzeBEeMj3p9q0/z3XylSnVqeuBBGDbYkH4i6kmK+/Tfsh1sKlXwP+doalgi+Dpll0uvr6fcvaOyEPskMpLEJhPMJu/erqx84uKc0RYq7unpomZ3e4GGQQFmkQBmMwfgjJ8VAh2hql6f8pAq4IaC7TXVewlhiB63MAhDZDP4TM8XRUnOn0yGHNb4rEHOjqW9Z7j1PEcxG+02kSafL9+v4Fdia6/PHlR3dU2RAbh+4HD1U4LNq2p6ytKWjt+yS4SS0Ep2TrrzcsdUQJmlgoAEisy5rCDDDqrMfMYUqF3/PAfvCfMSw/W+e8+gJ2rzGFW24MMrKsyil+7luPe17LfIiNOWCF5HCkDml6AtwfgA10TL1VuQuegKQ9epSqvT000F5VHmTJVvvGIIfi4kHiz6h1yA0+G3MF1HJXNMiQcaDdgvsx7Hadqg5MgmPLiIwxmnm7L85tbd05GzsT8edBtFigZDfLPqWpu5qqYq7WA5mvuio9MZqkaJ9k0qik6UhFPmSZof3jaj6Ujar2T5IGzUc7XvQUk1bzHHBiwUeUPsyGGjFB11qpwbK/lSyiWOysHNBUZh1Kbt5LI8FPfId/D0f8nQ/k1wCSmJSNWsPMbBgB98wctFrRKNSYutQ3WnDyAeDMVLZLvXPqJN/iPIDX8WyA45R5RsbOZF1ClWKE2Ue5HQRHxviYOT2svwzP+bXtR6jbviTWD93/b0eWqum0pNBO2vkocUxi8XPJf9EdyZln8EHrLFrV5hspWKxVe6zc9ZWZ//VMr6X+xFCK77SuEqXM/ncz61bvDy6PHT7uFwq05XHdkOj7MvsEWMPRtd4FDqGuAle0BHiElXsJ7l4fwLFdCYjlW/YsuTy7q/TzCWfQ8cPYjUQ10gTXAVxCns3G8NtkwZ/T5nXRGORa2achrhcMBLPKwl59bOxbbdJk4ado/zJfQtraYxL/VAYdE9yBHWAgc2yAm3Z5RCB455NHLQ1jyPyG4OxtdANMZ209P1zuviYLY1hacOkZ31UuwITFpjgQCYbKVDhwFN+oEMuvLil7soVfqfzIWcLcXYqjKS6tbAYlPGh2P8XgC6K2SbXhRiI9quoIVk7XcgypL1uvbq+oENfliMss9ooOggIO3wuAhZG1GiBxweaEAHLF1PsYpGjtIn7ZflECzjpVL5G4ZfWagtABd/HmbMCRG2P/IGGD875BitxeK/JJDSB4WCYqZaPcUauN4lK2qgFi/tLXwsbD1+SugV6N0JaEamWbUKpwz+RIu0kSkp3eZOBtYzV7651J5pymZf6pOSmxg5ts0lyzhdw685wXONzS7FPKOylY+tlTk7qNFmOhqEzy+Wmm7ANBLlL2S2hhABZTYnEJDJ384jTIMKW+yIFExDpFIyYW9/+C29RFZHAW5TrzgfjFVXk6bc4SF0bOrWflSl9G8aMJGw1iuyyCXWq7bCluDVq6eBcb9pFStCUZ4rxzzXrNP6NbAKpgI32u5DSR94/NT3jUlYvRy2ZpS/eyBp0/URuUXEnIR5XmI7Qg1goCJB31iIseeMB+DtU6C/iwp19+Skzj6XJ7biB481d7JCth4Dmbe8arzEbRL68Wlz1uVak8iArHOi1Jl4ALoeouK1G5arcb6KV6q4OV/O4F2/mno6izA4FZJMeitGxPb1/uGAxL30NOYzj19acxlLIbtKg2Md4EyFbEy76DTGOUtk5Yze6Iwn+Mis3wmysjGZsiZgP2bmwGUO9nChj/z7j471BNKLpvvBZDdPjZvaLjvfwPl83Yr3O7SaZcu00zRnc/ZCNOw5oY6T8PPKat4AQc9oDK0bQOzDdEd7QVqCa38yCSbQLnmjMma9RhP9WGpJeSxW0KqnFHyrve1g+3eYoErQFXODbXqBc3MX/IFlWDB4Xq54jAWiDNjQ2TmLzNc/K9/Odpp9oX/oWueUBurC6UKHqxTkA5i+jW9b7CyN7BYPuf3/kia8jeg5HIRnsqMjuaJAE=";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
