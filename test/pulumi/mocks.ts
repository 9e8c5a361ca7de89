/**
 * @module Run a Pulumi program under `pulumi.runtime.setMocks` and record what it registered: type,
 * name, parent, dependencies and inputs (secrets still marked as Pulumi secret values).
 */
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue } from "./harness.ts";

export interface Registered {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  parent: string;
  /** URNs of every resource this one depends on (dependsOn and through its inputs). */
  dependencies: string[];
  /** Inputs as the engine would receive them (secrets as `{ [sig]: secretSig, value }`). */
  inputs: Record<string, unknown>;
}

export interface MockRun<T> {
  result: T;
  resources: Registered[];
  /** The one resource of a type and name (throws when absent). */
  get(type: string, name: string): Registered;
  has(type: string, name: string): boolean;
}

export interface RunOptions {
  project: string;
  stack: string;
  /** Stack config, keys as `project:key` or `namespace:key`. */
  config?: Record<string, string>;
  secretKeys?: string[];
  /** Outputs a provider would compute, merged over the inputs. */
  computed?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
}

/** Strip Pulumi secret markers (for reading values in assertions). */
export function reveal(value: unknown): unknown {
  if (isSecretValue(value)) return reveal((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

/** Everything but secret values (to assert a secret never shows in plain text). */
export function publicPart(value: unknown): unknown {
  if (isSecretValue(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(publicPart);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, publicPart(v)]));
  return value;
}

/** Resolve an Output's value and whether it is secret. */
export async function settle<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const value = await new Promise<T>((resolve) => output.apply((v) => resolve(v)));
  return { value, secret: await pulumi.isSecret(output) };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}

/** Run `program` under mocks for one stack and wait until every registration has finished. */
export async function runWithMocks<T>(program: () => Promise<T> | T, options: RunOptions): Promise<MockRun<T>> {
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  const inputsByKey = new Map<string, Record<string, unknown>>();
  const resources: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        inputsByKey.set(`${args.type}::${args.name}`, args.inputs as Record<string, unknown>);
        const state = { ...(args.inputs as Record<string, unknown>), ...options.computed?.(args) };
        return { id: args.custom ? `${args.name}-id` : undefined, state };
      },
      call(args) {
        return args.inputs;
      },
    },
    options.project,
    options.stack,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
    newUrn(parent: string, type: string, name: string): string;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const dependencies = new Set(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((urn) => dependencies.add(urn)));
    resources.push({
      type: req.getType(),
      name: req.getName(),
      urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
      custom: req.getCustom(),
      parent: req.getParent(),
      dependencies: [...dependencies],
      inputs: {},
    });
    return register(req, callback);
  };
  const result = await program();
  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  await waitForRPCs?.();
  for (const resource of resources) resource.inputs = inputsByKey.get(`${resource.type}::${resource.name}`) ?? {};
  const find = (type: string, name: string) => resources.find((r) => r.type === type && r.name === name);
  return {
    result,
    resources,
    has: (type, name) => find(type, name) !== undefined,
    get(type, name) {
      const found = find(type, name);
      if (!found) throw new Error(`no ${type} named ${name}; registered: ${resources.map((r) => `${r.type}::${r.name}`).join(", ")}`);
      return found;
    },
  };
}
