/** @module policy/info — what each policy that ran says about itself (description, rationale), for SARIF's rule descriptions. */

export interface PolicyInfo {
  description: string;
  rationale?: string;
}

const known = new Map<string, PolicyInfo>();

/**
 * Records the policies of packs loaded in this process (the built-in packs, user packs). Filled by
 * policy/run.ts as it loads them, so formatting stays synchronous and the compiler keeps loading
 * `@switchyard/policies` only when policies run.
 */
export function rememberPolicies(packs: Iterable<{ policies: unknown[] }>): void {
  for (const pack of packs) {
    for (const policy of pack.policies) {
      if (typeof policy !== "object" || policy === null) continue;
      const { id, description, rationale } = policy as { id?: unknown; description?: unknown; rationale?: unknown };
      if (typeof id !== "string" || typeof description !== "string" || description.length === 0) continue;
      known.set(id, { description, ...(typeof rationale === "string" ? { rationale } : {}) });
    }
  }
}

/** The description of a policy that ran in this process, by its id (`pack/name`). */
export function policyInfo(id: string): PolicyInfo | undefined {
  return known.get(id);
}
