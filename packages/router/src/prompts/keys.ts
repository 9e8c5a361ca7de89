/** @module The names a prompt canary has in the rollout store: pure, shared by the core and the rendering chunk. */

/** The key of a prompt's canary in the rollout store: not a valid route id, so it never meets one. */
export function promptCanaryKey(id: string): string {
  return `prompt:${id}`;
}

/** The "model" a prompt version stands for in its canary's state: the id and the version. */
export function promptArmModel(id: string, version: string): string {
  return `${id}@${version}`;
}

/** The header that names a prompt when the body cannot: a prompt id, or JSON `{"id":…,"variables":{…}}`. */
export const PROMPT_HEADER = "x-switchyard-prompt";
