/**
 * @module provider/server — the ResourceProvider gRPC service the Pulumi engine talks to, over the
 * release provider. Pulumi's own `main()` from `@pulumi/pulumi/provider` drops `detailedDiff` (its
 * Diff answer carries only changes/replaces) and hands secrets to the provider undecoded, so this
 * server uses Pulumi's generated service definition and messages directly, with the same startup
 * contract: listen on 127.0.0.1:0 and print the port, alone, as the first line on stdout.
 */
import { createRequire } from "node:module";
import { CONFIG_SECTIONS, type PropertyDiffKind, RELEASE_TYPE, type ReleaseProvider, ReleaseProviderError } from "./release-provider.ts";
import type { WireProps } from "./wire.ts";

const require = createRequire(import.meta.url);
// CommonJS modules whose exports Node's ESM loader cannot see: loaded with require, typed from their .d.ts.
const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const structPb = require("google-protobuf/google/protobuf/struct_pb.js") as typeof import("google-protobuf/google/protobuf/struct_pb.js");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb.js") as typeof import("google-protobuf/google/protobuf/empty_pb.js");
const providerPb = require("@pulumi/pulumi/proto/provider_pb.js") as typeof import("@pulumi/pulumi/proto/provider_pb.js");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb.js") as typeof import("@pulumi/pulumi/proto/provider_grpc_pb.js");
const pluginPb = require("@pulumi/pulumi/proto/plugin_pb.js") as typeof import("@pulumi/pulumi/proto/plugin_pb.js");

type Struct = import("google-protobuf/google/protobuf/struct_pb.js").Struct;
type Callback<T> = (error: { code: number; details: string } | null, value?: T) => void;
interface Call<T> {
  request: T;
}

const KINDS: Record<PropertyDiffKind, number> = {
  add: providerPb.PropertyDiff.Kind.ADD,
  "add-replace": providerPb.PropertyDiff.Kind.ADD_REPLACE,
  delete: providerPb.PropertyDiff.Kind.DELETE,
  "delete-replace": providerPb.PropertyDiff.Kind.DELETE_REPLACE,
  update: providerPb.PropertyDiff.Kind.UPDATE,
  "update-replace": providerPb.PropertyDiff.Kind.UPDATE_REPLACE,
};

export interface ProviderServerOptions {
  provider: ReleaseProvider;
  version: string;
}

function props(struct: Struct | undefined): WireProps {
  return (struct?.toJavaScript() ?? {}) as WireProps;
}

function toStruct(value: WireProps): Struct {
  return structPb.Struct.fromJavaScript(value as Parameters<typeof structPb.Struct.fromJavaScript>[0]);
}

function typeOf(urn: string): string {
  // urn:pulumi:<stack>::<project>::<parent types $ type>::<name>
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

function failure(error: unknown): { code: number; details: string } {
  // Messages only: a stack trace is ours, not the user's.
  const message = error instanceof ReleaseProviderError ? error.message : error instanceof Error ? `internal provider error: ${error.message}` : String(error);
  return { code: grpc.status.UNKNOWN, details: message };
}

/** A handler that answers one request with the result of `run`, or its error as a gRPC status. */
function unary<Req, Res>(run: (request: Req) => Promise<Res>): (call: Call<Req>, callback: Callback<Res>) => void {
  return (call, callback) => {
    run(call.request).then(
      (value) => callback(null, value),
      (error: unknown) => callback(failure(error)),
    );
  };
}

function requireReleaseType(urn: string): void {
  const type = typeOf(urn);
  if (type !== RELEASE_TYPE) throw new ReleaseProviderError("unknown_type", `unknown resource type ${type}: this provider manages ${RELEASE_TYPE}`);
}

/** The provider's package schema: enough for tooling to list the resource and its properties. */
export function providerSchema(version: string): string {
  const string = { type: "string" };
  const object = { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } };
  const sections = Object.fromEntries(
    CONFIG_SECTIONS.map((s) => [s, s === "environment" ? string : s === "policies" ? { type: "array", items: { $ref: "pulumi.json#/Any" } } : object]),
  );
  const inputs = {
    routerUrl: { ...string, description: "The router's base URL (its admin API is under /admin)." },
    adminToken: { ...string, secret: true, description: "The router's SWITCHYARD_ADMIN_TOKEN." },
    release: { ...string, description: "The text of switchyard.json from a build." },
    hash: { ...string, description: "The release's content hash (checked against the release when set)." },
  };
  return JSON.stringify({
    name: "switchyard",
    version,
    resources: {
      [RELEASE_TYPE]: {
        description: "A compiled Switchyard release, uploaded to a router's admin API and activated.",
        inputProperties: inputs,
        requiredInputs: ["routerUrl", "adminToken", "release"],
        properties: { ...inputs, ...sections, activatedAt: string, previousHash: string, activeHash: string, drift: string },
        required: ["routerUrl", "adminToken", "release", "hash"],
      },
    },
  });
}

/** The service implementation (exported for tests that drive it without a socket). */
export function providerService(options: ProviderServerOptions) {
  const { provider, version } = options;
  const unimplemented = (what: string) => (_call: unknown, callback: Callback<never>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `Not yet implemented: ${what}` });
  return {
    getPluginInfo: unary(async () => new pluginPb.PluginInfo().setVersion(version)),
    getSchema: unary(async () => new providerPb.GetSchemaResponse().setSchema(providerSchema(version))),
    // The provider has no configuration of its own; the engine treats UNIMPLEMENTED as "nothing to check".
    checkConfig: unimplemented("CheckConfig"),
    diffConfig: unimplemented("DiffConfig"),
    configure: unary(async () =>
      new providerPb.ConfigureResponse().setAcceptsecrets(true).setAcceptresources(false).setAcceptoutputs(false).setSupportspreview(false),
    ),
    attach: unary(async () => new emptyPb.Empty()),
    cancel: unary(async () => new emptyPb.Empty()),
    check: unary(async (request: import("@pulumi/pulumi/proto/provider_pb.js").CheckRequest) => {
      requireReleaseType(request.getUrn());
      const result = await provider.check(props(request.getOlds()), props(request.getNews()));
      const response = new providerPb.CheckResponse().setInputs(toStruct(result.inputs));
      response.setFailuresList(result.failures.map((f) => new providerPb.CheckFailure().setProperty(f.property).setReason(f.reason)));
      return response;
    }),
    diff: unary(async (request: import("@pulumi/pulumi/proto/provider_pb.js").DiffRequest) => {
      requireReleaseType(request.getUrn());
      const result = await provider.diff(request.getId(), props(request.getOlds()), props(request.getNews()), request.getUrn());
      const response = new providerPb.DiffResponse()
        .setChanges(result.changes ? providerPb.DiffResponse.DiffChanges.DIFF_SOME : providerPb.DiffResponse.DiffChanges.DIFF_NONE)
        .setDiffsList(result.diffs)
        .setReplacesList(result.replaces)
        .setHasdetaileddiff(true);
      const detailed = response.getDetaileddiffMap();
      for (const [key, entry] of Object.entries(result.detailedDiff)) {
        const kind = KINDS[entry.kind] as import("@pulumi/pulumi/proto/provider_pb.js").PropertyDiff.Kind;
        detailed.set(key, new providerPb.PropertyDiff().setKind(kind).setInputdiff(entry.inputDiff));
      }
      return response;
    }),
    create: unary(async (request: import("@pulumi/pulumi/proto/provider_pb.js").CreateRequest) => {
      requireReleaseType(request.getUrn());
      const { id, outs } = await provider.create(props(request.getProperties()), request.getUrn());
      return new providerPb.CreateResponse().setId(id).setProperties(toStruct(outs));
    }),
    read: unary(async (request: import("@pulumi/pulumi/proto/provider_pb.js").ReadRequest) => {
      requireReleaseType(request.getUrn());
      const result = await provider.read(request.getId(), props(request.getProperties()));
      return new providerPb.ReadResponse().setId(result.id).setProperties(toStruct(result.props)).setInputs(toStruct(result.inputs));
    }),
    update: unary(async (request: import("@pulumi/pulumi/proto/provider_pb.js").UpdateRequest) => {
      requireReleaseType(request.getUrn());
      const { outs } = await provider.update(request.getId(), props(request.getOlds()), props(request.getNews()));
      return new providerPb.UpdateResponse().setProperties(toStruct(outs));
    }),
    delete: unary(async (request: import("@pulumi/pulumi/proto/provider_pb.js").DeleteRequest) => {
      requireReleaseType(request.getUrn());
      await provider.delete(request.getId(), props(request.getProperties()));
      return new emptyPb.Empty();
    }),
  };
}

/** Serves the provider on 127.0.0.1:0; resolves with the port and a function that stops the server. */
export async function startProviderServer(options: ProviderServerOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 });
  server.addService(providerGrpc.ResourceProviderService, providerService(options) as unknown as import("@grpc/grpc-js").UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
