/**
 * @module provider/release-provider — `switchyard:index:Release`: a compiled release pushed to one
 * router's admin API and activated. Small methods over wire-form property bags (what the engine
 * sends), each testable alone; the gRPC server only translates messages.
 */
import { parseRelease, type Release } from "@switchyard/ir";
import { AdminClient, AdminClientError } from "@switchyard/router/admin-client";
import { CONFIG_SECTIONS, RELEASE_TYPE } from "../tokens.ts";
import { isUnknown, readString, secret, stringOf, unwrap, type WireProps } from "./wire.ts";

export { CONFIG_SECTIONS, RELEASE_TYPE };


/** What the admin client must do for the provider (the real one is `AdminClient`). */
export interface AdminPort {
  pushRelease(releaseJsonText: string): Promise<unknown>;
  activate(hash: string): Promise<{ hash: string; activatedAt: string; previous: string; changed: boolean }>;
  listReleases(): Promise<{ active: string; releases: { hash: string; activatedAt: string | null; active: boolean }[] }>;
}

export interface ReleaseProviderOptions {
  /** Builds the admin client for a router (tests inject a fake). Default: `AdminClient`. */
  admin?: (options: { url: string; token: string }) => AdminPort;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: WireProps;
  failures: CheckFailure[];
}

export type PropertyDiffKind = "add" | "delete" | "update" | "add-replace" | "delete-replace" | "update-replace";

export interface DiffResult {
  changes: boolean;
  /** Top-level properties that changed. */
  diffs: string[];
  replaces: string[];
  /** Property path → kind; config keys come straight from `diffConfigs` (`routes.support-faq.fallback`). */
  detailedDiff: Record<string, { kind: PropertyDiffKind; inputDiff: boolean }>;
}

export interface ReadResult {
  id: string;
  props: WireProps;
  inputs: WireProps;
}

/** A provider error whose message is safe to show (never the token). */
export class ReleaseProviderError extends Error {
  override readonly name = "ReleaseProviderError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const INPUT_KEYS = ["routerUrl", "adminToken", "release", "hash", ...CONFIG_SECTIONS] as const;

interface Decoded {
  routerUrl: string;
  adminToken: string;
  releaseText: string;
  release: Release;
}

/** The inputs of a resource, validated; throws a ReleaseProviderError naming the first bad property. */
function decode(props: WireProps): Decoded {
  const routerUrl = stringOf(props, "routerUrl");
  const adminToken = stringOf(props, "adminToken");
  const releaseText = stringOf(props, "release");
  if (routerUrl === undefined) throw new ReleaseProviderError("invalid_inputs", "routerUrl is not set");
  if (adminToken === undefined) throw new ReleaseProviderError("invalid_inputs", "adminToken is not set");
  if (releaseText === undefined) throw new ReleaseProviderError("invalid_inputs", "release is not set");
  const parsed = parseRelease(releaseText);
  if (!parsed.success) throw new ReleaseProviderError("invalid_release", `release is not a valid switchyard.json: ${parsed.issues.map((i) => i.message).join("; ")}`);
  return { routerUrl: normaliseUrl(routerUrl), adminToken, releaseText, release: parsed.data };
}

function normaliseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

function describe(error: unknown, action: string, url: string): ReleaseProviderError {
  if (error instanceof ReleaseProviderError) return error;
  if (error instanceof AdminClientError) {
    const details = error.diagnostics.map((d) => `\n  ${d.code}${d.path ? ` at ${d.path}` : ""}: ${d.message}`).join("");
    return new ReleaseProviderError(error.code, `${action} on ${url} failed: ${error.message} (${error.code}${error.status ? `, HTTP ${error.status}` : ""})${details}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ReleaseProviderError("internal", `${action} on ${url} failed: ${message}`);
}

/** The checked inputs: the token always secret, the hash and the config sections derived from the release. */
function inputsOf(decoded: { routerUrl: string; adminToken: unknown; releaseText: string; release: Release }): WireProps {
  const inputs: WireProps = { routerUrl: decoded.routerUrl, adminToken: secret(decoded.adminToken), release: decoded.releaseText, hash: decoded.release.hash };
  for (const section of CONFIG_SECTIONS) inputs[section] = decoded.release.config[section];
  return inputs;
}

function pickInputs(props: WireProps): WireProps {
  const inputs: WireProps = {};
  for (const key of INPUT_KEYS) if (props[key] !== undefined) inputs[key] = key === "adminToken" ? secret(props[key]) : props[key];
  return inputs;
}

/** A Pulumi property path for a config change: dotted where every segment allows it, bracketed otherwise. */
export function propertyPath(segments: readonly string[]): string {
  let path = "";
  for (const segment of segments) {
    if (/^[A-Za-z_$][\w$-]*$/.test(segment)) path += path === "" ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function driftMessage(url: string, expected: string, active: string, known: boolean): string {
  const where = known ? "" : " (this router no longer knows the managed release: restarted?)";
  return `release ${active.slice(0, 12)} is active on ${url}, not the managed ${expected.slice(0, 12)}: it was activated out of band${where}`;
}

/**
 * The release resource's provider methods.
 *
 * @example
 * const provider = createReleaseProvider();
 * const { inputs, failures } = await provider.check({}, { routerUrl, adminToken: secret(token), release: text });
 */
export function createReleaseProvider(options: ReleaseProviderOptions = {}) {
  const adminFor = options.admin ?? ((o: { url: string; token: string }): AdminPort => new AdminClient({ url: o.url, token: o.token }));

  /** Push and activate; the outputs of a create or an update. */
  const rollOut = async (decoded: Decoded, action: string): Promise<WireProps> => {
    const admin = adminFor({ url: decoded.routerUrl, token: decoded.adminToken });
    try {
      await admin.pushRelease(decoded.releaseText);
      const activation = await admin.activate(decoded.release.hash);
      return {
        ...inputsOf(decoded),
        activatedAt: activation.activatedAt,
        // Already active (nothing happened): there is nothing of ours to roll back to on delete.
        previousHash: activation.changed ? activation.previous : null,
        activeHash: activation.hash,
        drift: null,
      };
    } catch (error) {
      throw describe(error, action, decoded.routerUrl);
    }
  };

  return {
    /** Validates inputs; every problem is a failure naming its property. Unknown values (preview) pass. */
    async check(_olds: WireProps, news: WireProps): Promise<CheckResult> {
      const failures: CheckFailure[] = [];
      const url = readString(news, "routerUrl");
      const token = readString(news, "adminToken");
      const text = readString(news, "release");
      const hash = readString(news, "hash");
      if (url.kind === "absent") failures.push({ property: "routerUrl", reason: "routerUrl is required: the router's base URL, e.g. http://router.internal:8787" });
      else if (url.kind === "invalid") failures.push({ property: "routerUrl", reason: `routerUrl must be a string, got ${url.type}` });
      else if (url.kind === "value" && !/^https?:\/\/[^/\s]+/.test(url.value)) failures.push({ property: "routerUrl", reason: `routerUrl must be an http(s) URL, got "${url.value}"` });
      if (token.kind === "absent" || (token.kind === "value" && token.value === "")) failures.push({ property: "adminToken", reason: "adminToken is required: the router's SWITCHYARD_ADMIN_TOKEN, as a Pulumi secret" });
      else if (token.kind === "invalid") failures.push({ property: "adminToken", reason: `adminToken must be a string, got ${token.type}` });
      let release: Release | undefined;
      if (text.kind === "absent") failures.push({ property: "release", reason: "release is required: the text of switchyard.json from a build (see compileRoutes)" });
      else if (text.kind === "invalid") failures.push({ property: "release", reason: `release must be the text of switchyard.json, got ${text.type}` });
      else if (text.kind === "value") {
        const parsed = parseRelease(text.value);
        if (parsed.success) release = parsed.data;
        else for (const issue of parsed.issues) failures.push({ property: "release", reason: `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message} (${issue.code})` });
      }
      if (release && hash.kind === "value" && hash.value !== release.hash) failures.push({ property: "hash", reason: `hash ${hash.value} does not match the release's content hash ${release.hash}` });

      if (failures.length > 0 || url.kind !== "value" || token.kind !== "value" || text.kind !== "value" || !release) {
        const inputs: WireProps = { ...news };
        if (news["adminToken"] !== undefined && !isUnknown(news["adminToken"])) inputs["adminToken"] = secret(news["adminToken"]);
        return { inputs, failures };
      }
      return { inputs: inputsOf({ routerUrl: normaliseUrl(url.value), adminToken: token.value, releaseText: text.value, release }), failures };
    },

    /** Route-level changes from `diffConfigs`; a config change is an update, never a replacement. */
    async diff(_id: string, olds: WireProps, news: WireProps): Promise<DiffResult> {
      const detailedDiff: DiffResult["detailedDiff"] = {};
      const diffs = new Set<string>();
      const replaces: string[] = [];
      const oldUrl = stringOf(olds, "routerUrl");
      if (isUnknown(news["routerUrl"]) || (oldUrl !== undefined && normaliseUrl(stringOf(news, "routerUrl") ?? "") !== oldUrl)) {
        // Another router is another resource: create there, then roll back here.
        detailedDiff["routerUrl"] = { kind: "update-replace", inputDiff: true };
        diffs.add("routerUrl");
        replaces.push("routerUrl");
      }
      if (isUnknown(news["adminToken"]) || unwrap(olds["adminToken"]).value !== unwrap(news["adminToken"]).value) {
        detailedDiff["adminToken"] = { kind: "update", inputDiff: true };
        diffs.add("adminToken");
      }
      const oldText = stringOf(olds, "release");
      const newText = stringOf(news, "release");
      if (isUnknown(news["release"])) {
        detailedDiff["release"] = { kind: "update", inputDiff: true };
        diffs.add("release");
      } else if (oldText !== undefined && newText !== undefined && oldText !== newText) {
        const before = parseRelease(oldText);
        const after = parseRelease(newText);
        diffs.add("release");
        diffs.add("hash");
        if (before.success && after.success) {
          const { diffConfigs } = await import("@switchyard/compiler");
          for (const change of diffConfigs(before.data.config, after.data.config).changes) {
            detailedDiff[propertyPath(change.path)] = { kind: change.kind, inputDiff: true };
            if (change.path[0] !== undefined) diffs.add(change.path[0]);
          }
        }
        // Same config, new bytes (e.g. key order): still a new release to push.
        if (Object.keys(detailedDiff).every((key) => key === "adminToken" || key === "routerUrl")) detailedDiff["hash"] = { kind: "update", inputDiff: true };
      }
      // A refresh found another release active on the router: the next update activates ours again.
      const activeHash = stringOf(olds, "activeHash");
      const hash = stringOf(olds, "hash");
      if (activeHash !== undefined && hash !== undefined && activeHash !== hash && diffs.size === 0) {
        detailedDiff["activeHash"] = { kind: "update", inputDiff: false };
        diffs.add("activeHash");
      }
      return { changes: diffs.size > 0, diffs: [...diffs], replaces, detailedDiff };
    },

    /** Uploads and activates the release; the id is the router URL (one managed release per router). */
    async create(inputs: WireProps): Promise<{ id: string; outs: WireProps }> {
      const decoded = decode(inputs);
      return { id: decoded.routerUrl, outs: await rollOut(decoded, `activating release ${decoded.release.hash.slice(0, 12)}`) };
    },

    /** Uploads and activates the new release; `previousHash` becomes the release it replaced. */
    async update(_id: string, olds: WireProps, news: WireProps): Promise<{ outs: WireProps }> {
      const decoded = decode(news);
      const outs = await rollOut(decoded, `activating release ${decoded.release.hash.slice(0, 12)}`);
      // The same release again (a token change, or repairing drift): what it replaced is still what destroy restores.
      if (stringOf(olds, "hash") === decoded.release.hash || outs["previousHash"] === null) outs["previousHash"] = olds["previousHash"] ?? null;
      return { outs };
    },

    /** Reads which release is active; a different one means drift, reported in `activeHash` and `drift`. */
    async read(id: string, props: WireProps): Promise<ReadResult> {
      const decoded = decode(props);
      const admin = adminFor({ url: decoded.routerUrl, token: decoded.adminToken });
      let listing: Awaited<ReturnType<AdminPort["listReleases"]>>;
      try {
        listing = await admin.listReleases();
      } catch (error) {
        throw describe(error, "reading the active release", decoded.routerUrl);
      }
      const hash = decoded.release.hash;
      const ours = listing.releases.find((r) => r.hash === hash);
      const outs: WireProps = {
        ...props,
        ...inputsOf({ ...decoded, adminToken: props["adminToken"] }),
        activatedAt: ours?.activatedAt ?? props["activatedAt"] ?? null,
        activeHash: listing.active,
        drift: listing.active === hash ? null : driftMessage(decoded.routerUrl, hash, listing.active, ours !== undefined),
      };
      return { id, props: outs, inputs: pickInputs(outs) };
    },

    /** Rolls the router back to the release that was active before ours (if there was one). */
    async delete(_id: string, props: WireProps): Promise<void> {
      const decoded = decode(props);
      const previous = stringOf(props, "previousHash");
      if (previous === undefined) return;
      const admin = adminFor({ url: decoded.routerUrl, token: decoded.adminToken });
      try {
        await admin.activate(previous);
      } catch (error) {
        const described = describe(error, `rolling back to release ${previous.slice(0, 12)}`, decoded.routerUrl);
        if (described.code !== "release_not_found") throw described;
        // A restarted router forgets its history: say how to get out rather than leave destroy stuck.
        throw new ReleaseProviderError(described.code, `${described.message}\nThe router no longer has release ${previous}: upload it again (switchyard release push <build> --router ${decoded.routerUrl}) and retry, or drop this resource from the stack with \`pulumi state delete\`.`);
      }
    },
  };
}

export type ReleaseProvider = ReturnType<typeof createReleaseProvider>;
