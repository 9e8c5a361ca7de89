/** @module A release made ready to serve: tables, hashed keys, adapters and validators resolved once at activation. */
import type { Config, Release } from "@switchyard/ir";
import { compileRouteTable, type RouteTable } from "../core/index.ts";
import type { AdapterRegistry, ProviderAdapter, Transport } from "../adapters/types.ts";
import type { ValidatorCheck, ValidatorFactory, ValidatorRegistry } from "../validators/types.ts";
import { buildKeyTable, type KeyTable } from "./auth.ts";

/** Why a release cannot be served by this router build. */
export class ActivationError extends Error {
  override readonly name = "ActivationError";
  constructor(
    readonly code: "missing_adapter" | "missing_validator" | "invalid_validator",
    message: string,
  ) {
    super(message);
  }
}

/** Everything the hot path needs from a release, computed once. */
export interface RuntimeRelease {
  hash: string;
  config: Config;
  table: RouteTable;
  keys: KeyTable;
  /** Adapter per provider id. */
  adapters: Map<string, ProviderAdapter>;
  /** Compiled validators per route id (routes without validators are absent). */
  validators: Map<string, ValidatorCheck[]>;
  /** `GET /v1/models` bodies: per team, and `open` for a router without teams. */
  models: { open: string; byTeam: Map<string, string> };
  /** `router.requestIdHeader`, lower-cased as Node presents request headers. */
  requestIdHeader: string;
  /** Problems worth telling the operator (missing env vars); never secret values. */
  warnings: string[];
  close(): Promise<void>;
}

export interface ActivateOptions {
  release: Release;
  env: Readonly<Record<string, string | undefined>>;
  adapters: AdapterRegistry;
  validators: ValidatorRegistry;
  transport: Transport;
}

function modelsBody(routes: readonly string[]): string {
  return JSON.stringify({ object: "list", data: routes.map((id) => ({ id, object: "model", created: 0, owned_by: "switchyard" })) });
}

/** Prepare a release for serving. Throws ActivationError when this build lacks an adapter or validator it needs. */
export function activateRelease(options: ActivateOptions): RuntimeRelease {
  const { release, env } = options;
  const config = release.config;
  const warnings: string[] = [];
  const adapters = new Map<string, ProviderAdapter>();
  for (const [providerId, provider] of Object.entries(config.providers)) {
    const factory = options.adapters[provider.kind];
    if (factory === undefined) {
      throw new ActivationError("missing_adapter", `provider \`${providerId}\` is of kind "${provider.kind}", which this router build does not include`);
    }
    let apiKey: string | undefined;
    if (provider.apiKey !== undefined) {
      apiKey = env[provider.apiKey.secret];
      if (apiKey === undefined || apiKey === "") {
        apiKey = undefined;
        if (provider.kind !== "mock") warnings.push(`provider \`${providerId}\`: environment variable ${provider.apiKey.secret} is not set`);
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(provider.headers)) {
      if (typeof value === "string") headers[name.toLowerCase()] = value;
      else {
        const v = env[value.secret];
        if (v === undefined || v === "") warnings.push(`provider \`${providerId}\`: header ${name} names ${value.secret}, which is not set`);
        else headers[name.toLowerCase()] = v;
      }
    }
    adapters.set(providerId, factory({ providerId, provider, apiKey, headers, transport: options.transport }));
  }

  const validators = new Map<string, ValidatorCheck[]>();
  for (const [routeId, route] of Object.entries(config.routes)) {
    if (route.validate.length === 0) continue;
    const checks: ValidatorCheck[] = [];
    for (const spec of route.validate) {
      const factory = options.validators[spec.kind] as ValidatorFactory | undefined;
      if (factory === undefined) throw new ActivationError("missing_validator", `route \`${routeId}\` uses the "${spec.kind}" validator, which this router build does not include`);
      try {
        checks.push(factory(spec));
      } catch (error) {
        throw new ActivationError("invalid_validator", `route \`${routeId}\`: the ${spec.kind} validator is invalid: ${(error as Error).message}`);
      }
    }
    validators.set(routeId, checks);
  }

  const keys = buildKeyTable(config, env);
  for (const name of keys.missing) warnings.push(`team key environment variable ${name} is not set; that key cannot authenticate`);
  const byTeam = new Map<string, string>();
  for (const [team, def] of Object.entries(config.teams)) byTeam.set(team, modelsBody(def.routes.filter((r) => r in config.routes)));

  return {
    hash: release.hash,
    config,
    table: compileRouteTable(config),
    keys,
    adapters,
    validators,
    models: { open: modelsBody(Object.keys(config.routes)), byTeam },
    requestIdHeader: config.router.requestIdHeader.toLowerCase(),
    warnings,
    async close() {
      await Promise.all([...adapters.values()].map((a) => a.close().catch(() => undefined)));
    },
  };
}

/**
 * The release being served, swapped atomically: a request reads `current` once at its start and
 * keeps that object to its end, so in-flight requests finish on the release they began with.
 */
export class ActiveRelease {
  #current: RuntimeRelease;

  constructor(initial: RuntimeRelease) {
    this.#current = initial;
  }

  get current(): RuntimeRelease {
    return this.#current;
  }

  /** Make `next` current; returns the previous one (its owner closes it once drained). */
  swap(next: RuntimeRelease): RuntimeRelease {
    const previous = this.#current;
    this.#current = next;
    return previous;
  }
}
