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

/** A route as OpenAI's model object (`GET /v1/models` lists them, `GET /v1/models/{id}` answers one). */
export function modelEntry(id: string): { id: string; object: "model"; created: number; owned_by: string } {
  return { id, object: "model", created: 0, owned_by: "switchyard" };
}

function modelsBody(routes: readonly string[]): string {
  return JSON.stringify({ object: "list", data: routes.map(modelEntry) });
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
    adapters.set(providerId, factory({ providerId, provider, apiKey, headers, transport: options.transport, env }));
  }

  const validators = new Map<string, ValidatorCheck[]>();
  for (const [routeId, route] of Object.entries(config.routes)) {
    if (route.validate.length === 0) continue;
    const checks: ValidatorCheck[] = [];
    for (const spec of route.validate) {
      const factory = options.validators[spec.kind] as ValidatorFactory | undefined;
      if (factory === undefined)
        throw new ActivationError("missing_validator", `route \`${routeId}\` uses the "${spec.kind}" validator, which this router build does not include`);
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
  for (const [team, def] of Object.entries(config.teams)) byTeam.set(team, modelsBody(def.routes.filter((r) => Object.hasOwn(config.routes, r))));

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

/** A release the router knows: the boot release, uploads, and every release it has activated. */
export interface ReleaseRecord {
  hash: string;
  environment: string;
  /** Epoch ms when the router first received it (its start, for the release it booted with). */
  uploadedAt: number;
  /** Epoch ms of its latest activation; undefined when never activated. */
  activatedAt: number | undefined;
  release: Release;
  /** Size of the uploaded text (0 for releases the router did not receive as an upload), counted against `maxBytes`. */
  bytes: number;
}

export interface ActiveReleaseOptions {
  /** Epoch ms of the boot activation. Default Date.now(). */
  now?: number;
  /** How many releases are remembered (uploads and activations); the oldest inactive ones are forgotten first. Default 20. */
  retain?: number;
  /** Total bytes of the uploads remembered; beyond it the oldest inactive ones are forgotten first. Default 32 MiB. */
  maxBytes?: number;
}

/**
 * The release being served, swapped atomically: a request takes `enter()` (or reads `current`) once
 * at its start and keeps that object to its end, so in-flight requests finish on the release they
 * began with. It also keeps the history the admin API shows (uploads, activations) and the
 * activation stack rollback walks back through, and counts requests per RuntimeRelease so a
 * replaced release is closed only once drained.
 *
 * @example
 * const release = active.enter();            // at request start
 * res.once("close", () => active.leave(release));
 * const previous = active.swap(next, { now }); // admin activation
 * void active.drained(previous).then(() => previous.close());
 */
export class ActiveRelease {
  #current: RuntimeRelease;
  readonly #retain: number;
  readonly #maxBytes: number;
  /** Known releases by hash, in insertion order. */
  readonly #records = new Map<string, ReleaseRecord>();
  /** Hashes in activation order; the last is the current release. */
  #stack: string[] = [];
  readonly #inFlight = new Map<RuntimeRelease, number>();
  readonly #waiting = new Map<RuntimeRelease, Array<() => void>>();

  constructor(initial: RuntimeRelease, options: ActiveReleaseOptions = {}) {
    this.#current = initial;
    this.#retain = Math.max(2, options.retain ?? 20);
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    const now = options.now ?? Date.now();
    this.#records.set(initial.hash, activatedRecord(initial, now));
    this.#stack.push(initial.hash);
  }

  get current(): RuntimeRelease {
    return this.#current;
  }

  /** The current release, counted as in use until `leave()` is called with it. */
  enter(): RuntimeRelease {
    const release = this.#current;
    this.#inFlight.set(release, (this.#inFlight.get(release) ?? 0) + 1);
    return release;
  }

  /** A request that `enter()`ed `release` is done with it. */
  leave(release: RuntimeRelease): void {
    const count = (this.#inFlight.get(release) ?? 1) - 1;
    if (count > 0) {
      this.#inFlight.set(release, count);
      return;
    }
    this.#inFlight.delete(release);
    if (release !== this.#current) this.#wake(release);
  }

  /** Requests currently using `release` (those that entered it). */
  inFlightOn(release: RuntimeRelease): number {
    return this.#inFlight.get(release) ?? 0;
  }

  /** Resolves once no request uses `release` any more and it is not current. */
  drained(release: RuntimeRelease): Promise<void> {
    if (release !== this.#current && this.inFlightOn(release) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.#waiting.get(release) ?? [];
      list.push(resolve);
      this.#waiting.set(release, list);
    });
  }

  /** Remember an uploaded release (idempotent: a known hash keeps its first upload time). */
  record(release: Release, now: number, bytes = 0): { record: ReleaseRecord; created: boolean } {
    const known = this.#records.get(release.hash);
    if (known !== undefined) return { record: known, created: false };
    const record: ReleaseRecord = { hash: release.hash, environment: release.config.environment, uploadedAt: now, activatedAt: undefined, release, bytes };
    this.#records.set(release.hash, record);
    this.#evict();
    return { record, created: true };
  }

  get(hash: string): ReleaseRecord | undefined {
    return this.#records.get(hash);
  }

  /** Known releases, most recently uploaded or activated first, the current one marked. */
  history(limit = 20): Array<ReleaseRecord & { active: boolean }> {
    // Reversed first so that, within one millisecond, the later upload lists first (sort is stable).
    return [...this.#records.values()]
      .reverse()
      .sort((a, b) => lastUsed(b) - lastUsed(a))
      .slice(0, Math.max(0, limit))
      .map((record) => ({ ...record, active: record.hash === this.#current.hash }));
  }

  /** The release a rollback returns to (the one active before the current one), if remembered. */
  previous(): ReleaseRecord | undefined {
    const hash = this.#stack[this.#stack.length - 2];
    return hash === undefined ? undefined : this.#records.get(hash);
  }

  /**
   * Make `next` current and return the previous one (close it once `drained()`). A rollback pops
   * the activation stack instead of pushing, so repeated rollbacks walk further back.
   */
  swap(next: RuntimeRelease, options: { now?: number; rollback?: boolean } = {}): RuntimeRelease {
    const now = options.now ?? Date.now();
    const previous = this.#current;
    this.#current = next;
    const known = this.#records.get(next.hash);
    if (known !== undefined) known.activatedAt = now;
    else this.#records.set(next.hash, activatedRecord(next, now));
    if (options.rollback === true && this.#stack[this.#stack.length - 2] === next.hash) this.#stack.pop();
    else if (this.#stack[this.#stack.length - 1] !== next.hash) this.#stack.push(next.hash);
    if (this.#stack.length > this.#retain) this.#stack = this.#stack.slice(-this.#retain);
    this.#evict();
    if (this.inFlightOn(previous) === 0 && previous !== next) this.#wake(previous);
    return previous;
  }

  #wake(release: RuntimeRelease): void {
    const list = this.#waiting.get(release);
    if (list === undefined) return;
    this.#waiting.delete(release);
    for (const resolve of list) resolve();
  }

  /** Forget the least recently used releases beyond `retain` or `maxBytes`, never the current one or the rollback target. */
  #evict(): void {
    let bytes = 0;
    for (const record of this.#records.values()) bytes += record.bytes;
    if (this.#records.size <= this.#retain && bytes <= this.#maxBytes) return;
    const keep = new Set([this.#current.hash, this.#stack[this.#stack.length - 2]]);
    const candidates = [...this.#records.values()].filter((r) => !keep.has(r.hash)).sort((a, b) => lastUsed(a) - lastUsed(b));
    for (const record of candidates) {
      if (this.#records.size <= this.#retain && bytes <= this.#maxBytes) break;
      this.#records.delete(record.hash);
      bytes -= record.bytes;
    }
    this.#stack = this.#stack.filter((hash) => this.#records.has(hash)).filter((hash, i, all) => hash !== all[i - 1]);
  }
}

/** The record of a release first seen as it is activated (the boot release, or one activated without an upload). */
function activatedRecord(runtime: RuntimeRelease, now: number): ReleaseRecord {
  return {
    hash: runtime.hash,
    environment: runtime.config.environment,
    uploadedAt: now,
    activatedAt: now,
    release: { hash: runtime.hash, config: runtime.config },
    bytes: 0,
  };
}

function lastUsed(record: ReleaseRecord): number {
  return Math.max(record.uploadedAt, record.activatedAt ?? 0);
}
