/**
 * @module The Redis key layout. Budget and rate-limit keys carry a Cluster hash tag per team
 * (`{team}`), rollout and release keys one per environment (`{environment}`), so each Lua script
 * touches one slot and a team's keys live together on one shard.
 *
 *     <prefix><env>:{<team>}:budget          hash   period, start, end, limit, mode, spent, reserved
 *     <prefix><env>:{<team>}:budget:held     hash   reservation id → amount (USD)
 *     <prefix><env>:{<team>}:budget:expiry   zset   reservation id → expiry (epoch ms)
 *     <prefix><env>:{<team>}:budget:lapsed   zset   expired reservation id → when (a late settle still charges; kept 1 h)
 *     <prefix><env>:{<team>}:alert:<periodStart>:<threshold>   string (SET NX; 40 days)
 *     <prefix><env>:{<team>}:limits          hash   rl ra (requests: level, at), tl ta (tokens)
 *     <prefix>{<env>}:canaries               set    routes with canary state
 *     <prefix>{<env>}:canary:<route>         hash   model steps percent step updatedAt reason since, and per arm
 *                                                   (canary, baseline) <arm>:requests errors validationFailures costUsd costed scoreSum scores
 *     <prefix>{<env>}:canary:<route>:lat:<arm>   list   the arm's latest successful latencies (≤ 512)
 *     <prefix>{<env>}:lease                  hash   controller lease: holder, expiresAt
 *     <prefix>{<env>}:release:{body,bytes,uploaded,activated}   hashes  release hash → …
 *     <prefix>{<env>}:release:used           zset   release hash → last use (history and eviction order)
 *     <prefix>{<env>}:release:stack          list   activation stack (last = active)
 *     <prefix>{<env>}:release:active         string the active release's hash
 *     <prefix>{<env>}:release:seq            string tie-breaker within a millisecond
 *     <prefix><env>:cache:<sha256>           string cached answer of a route with `cache` (PX ttl; state/redis/cache.ts)
 *     <prefix>{<env>}:rollout                channel  a canary changed (route, or * for all)
 *     <prefix>{<env>}:release:activated-channel  channel  a release was activated (its hash)
 */

export interface TeamKeys {
  /** ledger, held, expiry, lapsed: the KEYS of the budget scripts, in order. */
  budget: [string, string, string, string];
  limits: string;
  alert(periodStart: number, threshold: number): string;
}

export interface EnvironmentKeys {
  canaries: string;
  /** Prefix of a route's canary hash (`<base><route>`) and its arms' latency lists (`<base><route>:lat:<arm>`). */
  canaryBase: string;
  lease: string;
  rolloutChannel: string;
  /** body, bytes, uploaded, activated, used, stack, active, seq, channel: the KEYS of the release scripts, in order. */
  release: [string, string, string, string, string, string, string, string, string];
  releaseActive: string;
  releaseStack: string;
  releaseChannel: string;
}

/** Keys of one team in one environment. */
export function teamKeys(prefix: string, environment: string, team: string): TeamKeys {
  const base = `${prefix}${environment}:{${team}}:`;
  return {
    budget: [`${base}budget`, `${base}budget:held`, `${base}budget:expiry`, `${base}budget:lapsed`],
    limits: `${base}limits`,
    alert: (periodStart, threshold) => `${base}alert:${periodStart}:${threshold}`,
  };
}

/** Teams whose keys a cache remembers; past this it starts over (teams come from the config: a few, or some hundreds). */
const TEAM_KEYS_CACHED = 4_096;

/**
 * teamKeys of one prefix and environment, remembered per team: the hot scripts name a team's keys on
 * every request, and the same strings each time save their building and hashing (the stores' batches
 * are looked up by them).
 */
export function teamKeysCache(prefix: string, environment: string): (team: string) => TeamKeys {
  const known = new Map<string, TeamKeys>();
  return (team) => {
    let keys = known.get(team);
    if (keys === undefined) {
      if (known.size >= TEAM_KEYS_CACHED) known.clear();
      keys = teamKeys(prefix, environment, team);
      known.set(team, keys);
    }
    return keys;
  };
}

/** Keys of one environment (rollout and releases). */
export function environmentKeys(prefix: string, environment: string): EnvironmentKeys {
  const base = `${prefix}{${environment}}:`;
  const r = `${base}release:`;
  const release: EnvironmentKeys["release"] = [
    `${r}body`,
    `${r}bytes`,
    `${r}uploaded`,
    `${r}activated`,
    `${r}used`,
    `${r}stack`,
    `${r}active`,
    `${r}seq`,
    `${r}activated-channel`,
  ];
  return {
    canaries: `${base}canaries`,
    canaryBase: `${base}canary:`,
    lease: `${base}lease`,
    rolloutChannel: `${base}rollout`,
    release,
    releaseActive: release[6],
    releaseStack: release[5],
    releaseChannel: release[8],
  };
}
