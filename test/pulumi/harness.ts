/**
 * @module Pulumi test harness: the provider plugin in a child process, driven over gRPC exactly as
 * the engine drives it (Struct properties, secrets as Pulumi secret values), and a router process
 * with an admin token.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import type { Release } from "@switchyard/ir";
import { serialiseRelease } from "@switchyard/ir";
import { createReleaseProvider } from "../../packages/pulumi/src/provider/release-provider.ts";
import { startProviderServer } from "../../packages/pulumi/src/provider/server.ts";
import { ADMIN_TOKEN } from "../helpers/admin.ts";
import { type RouterProcess, spawnRouter } from "../helpers/process.ts";

const require = createRequire(import.meta.url);
const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const structPb = require("google-protobuf/google/protobuf/struct_pb.js") as typeof import("google-protobuf/google/protobuf/struct_pb.js");
const providerPb = require("@pulumi/pulumi/proto/provider_pb.js") as typeof import("@pulumi/pulumi/proto/provider_pb.js");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb.js") as typeof import("@pulumi/pulumi/proto/provider_grpc_pb.js");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb.js") as typeof import("google-protobuf/google/protobuf/empty_pb.js");

export const ROOT = resolve(import.meta.dirname, "../..");
/** The executable the engine starts from a Pulumi.yaml `plugins.providers[].path` folder. */
export const PLUGIN = join(ROOT, "packages/pulumi/bin/pulumi-resource-switchyard");
export const URN = "urn:pulumi:dev::acme::switchyard:index:Release::router-release";

/** Pulumi's wire markers (what `pulumi.secret(...)` becomes on the wire). */
export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function secretValue(value: unknown): Record<string, unknown> {
  return { [SIG]: SECRET_SIG, value };
}

export function isSecretValue(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG] === SECRET_SIG;
}

type Props = Record<string, unknown>;

export interface DiffAnswer {
  changes: "none" | "some" | "unknown";
  diffs: string[];
  replaces: string[];
  detailedDiff: Record<string, string>;
}

const KIND_NAMES = ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"];
const CHANGES = ["unknown", "none", "some"] as const;

/** A gRPC client for the plugin running in a child process. */
export interface ProviderPlugin {
  child: ChildProcess;
  port: number;
  stderr(): string;
  pluginInfo(): Promise<string>;
  schema(): Promise<string>;
  configure(): Promise<{ acceptSecrets: boolean }>;
  checkConfig(): Promise<{ code: number }>;
  check(olds: Props, news: Props, urn?: string): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(id: string, olds: Props, news: Props, urn?: string): Promise<DiffAnswer>;
  create(props: Props, urn?: string): Promise<{ id: string; outs: Props }>;
  read(id: string, props: Props, urn?: string): Promise<{ id: string; props: Props; inputs: Props }>;
  update(id: string, olds: Props, news: Props, urn?: string): Promise<Props>;
  delete(id: string, props: Props, urn?: string): Promise<void>;
  close(): Promise<void>;
}

const struct = (value: Props) => structPb.Struct.fromJavaScript(value as Parameters<typeof structPb.Struct.fromJavaScript>[0]);
const plain = (value: import("google-protobuf/google/protobuf/struct_pb.js").Struct | undefined): Props => (value?.toJavaScript() ?? {}) as Props;

/** Start `pulumi-resource-switchyard` as the engine would and connect to the port it prints. */
export async function startPlugin(): Promise<ProviderPlugin> {
  // As the engine does: the executable itself, the engine's address as the argument; this node first on PATH.
  const child = spawn(PLUGIN, ["127.0.0.1:1"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: `${dirname(process.execPath)}${delimiter}${process.env["PATH"] ?? ""}` },
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`plugin printed no port in time\nstdout: ${out}\nstderr: ${err}`)), 20_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n");
      if (line.length > 1) {
        clearTimeout(timer);
        // The engine reads the first line as the port: anything else there is a protocol error.
        if (!/^\d+$/.test(line[0] ?? "")) reject(new Error(`first stdout line is not a port: ${JSON.stringify(line[0])}`));
        else resolvePort(Number(line[0]));
      }
    });
    child.once("exit", (code) => reject(new Error(`plugin exited with ${code}\nstderr: ${err}`)));
  });
  const client = grpcClient(port);
  return {
    ...client,
    child,
    stderr: () => err,
    async close() {
      await client.close();
      // A child killed by a signal has exitCode null and signalCode set: it has exited all the same.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/**
 * The provider served in this process (the plugin's own gRPC server over a fresh provider: one
 * engine run), called over a real gRPC connection. For tests that need many deployments: a child
 * process per deployment costs seconds of CPU on a shared machine.
 */
export async function startInProcessPlugin(): Promise<Omit<ProviderPlugin, "child" | "stderr">> {
  const server = await startProviderServer({ provider: createReleaseProvider(), version: "0.0.0-test" });
  const client = grpcClient(server.port);
  let stopped: Promise<void> | undefined;
  return {
    ...client,
    async close() {
      await client.close();
      stopped ??= server.stop();
      return stopped;
    },
  };
}

/** The engine's side of the ResourceProvider service on a port. */
function grpcClient(port: number): Omit<ProviderPlugin, "child" | "stderr"> {
  const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <Req, Res>(method: string, request: Req): Promise<Res> =>
    new Promise((resolveCall, reject) => {
      const fn = (client as unknown as Record<string, (r: Req, cb: (e: Error | null, v: Res) => void) => void>)[method];
      if (!fn) throw new Error(`no method ${method}`);
      fn.call(client, request, (error, value) => (error ? reject(error) : resolveCall(value)));
    });
  return {
    port,
    async pluginInfo() {
      const info = await call<unknown, import("@pulumi/pulumi/proto/plugin_pb.js").PluginInfo>("getPluginInfo", new emptyPb.Empty());
      return info.getVersion();
    },
    async schema() {
      const response = await call<unknown, import("@pulumi/pulumi/proto/provider_pb.js").GetSchemaResponse>("getSchema", new providerPb.GetSchemaRequest());
      return response.getSchema();
    },
    async configure() {
      const response = await call<unknown, import("@pulumi/pulumi/proto/provider_pb.js").ConfigureResponse>(
        "configure",
        new providerPb.ConfigureRequest().setAcceptsecrets(true),
      );
      return { acceptSecrets: response.getAcceptsecrets() };
    },
    async checkConfig() {
      try {
        await call("checkConfig", new providerPb.CheckRequest().setUrn("urn:pulumi:dev::acme::pulumi:providers:switchyard::default"));
        return { code: 0 };
      } catch (error) {
        return { code: (error as { code: number }).code };
      }
    },
    async check(olds, news, urn = URN) {
      const response = await call<unknown, import("@pulumi/pulumi/proto/provider_pb.js").CheckResponse>(
        "check",
        new providerPb.CheckRequest().setUrn(urn).setOlds(struct(olds)).setNews(struct(news)),
      );
      return { inputs: plain(response.getInputs()), failures: response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
    },
    async diff(id, olds, news, urn = URN) {
      const response = await call<unknown, import("@pulumi/pulumi/proto/provider_pb.js").DiffResponse>(
        "diff",
        new providerPb.DiffRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)),
      );
      const detailedDiff: Record<string, string> = {};
      response.getDetaileddiffMap().forEach((entry, key) => {
        detailedDiff[key] = KIND_NAMES[entry.getKind()] ?? String(entry.getKind());
      });
      return { changes: CHANGES[response.getChanges()] ?? "unknown", diffs: response.getDiffsList(), replaces: response.getReplacesList(), detailedDiff };
    },
    async create(props, urn = URN) {
      const response = await call<unknown, import("@pulumi/pulumi/proto/provider_pb.js").CreateResponse>(
        "create",
        new providerPb.CreateRequest().setUrn(urn).setProperties(struct(props)),
      );
      return { id: response.getId(), outs: plain(response.getProperties()) };
    },
    async read(id, props, urn = URN) {
      const response = await call<unknown, import("@pulumi/pulumi/proto/provider_pb.js").ReadResponse>(
        "read",
        new providerPb.ReadRequest().setUrn(urn).setId(id).setProperties(struct(props)),
      );
      return { id: response.getId(), props: plain(response.getProperties()), inputs: plain(response.getInputs()) };
    },
    async update(id, olds, news, urn = URN) {
      const response = await call<unknown, import("@pulumi/pulumi/proto/provider_pb.js").UpdateResponse>(
        "update",
        new providerPb.UpdateRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)),
      );
      return plain(response.getProperties());
    },
    async delete(id, props, urn = URN) {
      await call("delete", new providerPb.DeleteRequest().setUrn(urn).setId(id).setProperties(struct(props)));
    },
    async close() {
      client.close();
    },
  };
}

/** Write a release to a temporary switchyard.json and start a router process on it with the admin token. */
export async function startRouterProcess(release: Release, options: { token?: string } = {}): Promise<RouterProcess> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-pulumi-"));
  const file = join(dir, "switchyard.json");
  writeFileSync(file, serialiseRelease(release));
  return spawnRouter(["--import", "tsx", join(ROOT, "test/pulumi/router-process.ts"), file], {
    cwd: ROOT,
    env: { SWITCHYARD_ADMIN_TOKEN: options.token ?? ADMIN_TOKEN },
  });
}

/** Stop a router process (SIGTERM, then wait). */
export async function stopRouterProcess(router: RouterProcess): Promise<void> {
  if (router.child.exitCode !== null) return;
  router.child.kill("SIGTERM");
  await router.exited;
}
