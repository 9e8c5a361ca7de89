/**
 * @module provider/release-provider — `switchyard:index:Release`: a compiled release pushed to one
 * router's admin API and activated. Small methods over wire-form property bags (what the engine
 * sends), each testable alone; the gRPC server only translates messages.
 */
import { parseRelease, type Release } from "@switchyard/ir";
import { AdminClient, AdminClientError } from "@switchyard/router/admin-client";
import { CONFIG_SECTIONS, RELEASE_TYPE } from "../tokens.ts";
import { detailedDiffOf, propertyPath } from "./property-path.ts";
import { isUnknown, readString, secret, stringOf, unwrap, type WireProps } from "./wire.ts";

export { CONFIG_SECTIONS, RELEASE_TYPE, propertyPath };

/** What the admin client must do for the provider (the real one is `AdminClient`). */
export interface AdminPort {
  pushRelease(releaseJsonText: string): Promise<unknown>;
  activate(hash: string): Promise<{ hash: string; activatedAt: string; previous: string; changed: boolean }>;
  listReleases(): Promise<{ active: string; releases: { hash: string; activatedAt: string | null; active: boolean; environment?: string }[] }>;
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
  if (!parsed.success)
    throw new ReleaseProviderError("invalid_release", `release is not a valid switchyard.json: ${parsed.issues.map((i) => i.message).join("; ")}`);
  return { routerUrl: normaliseUrl(routerUrl), adminToken, releaseText, release: parsed.data };
}

function normaliseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

function describe(error: unknown, action: string, url: string): ReleaseProviderError {
  if (error instanceof ReleaseProviderError) return error;
  if (error instanceof AdminClientError) {
    const details = error.diagnostics.map((d) => `\n  ${d.code}${d.path ? ` at ${d.path}` : ""}: ${d.message}`).join("");
    return new ReleaseProviderError(
      error.code,
      `${action} on ${url} failed: ${error.message} (${error.code}${error.status ? `, HTTP ${error.status}` : ""})${details}`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ReleaseProviderError("internal", `${action} on ${url} failed: ${message}`);
}

/** The checked inputs: the token always secret, the hash and the config sections derived from the release. */
function inputsOf(decoded: { routerUrl: string; adminToken: unknown; releaseText: string; release: Release }): WireProps {
  const inputs: WireProps = { routerUrl: decoded.routerUrl, adminToken: secret(decoded.adminToken), release: decoded.releaseText, hash: decoded.release.hash };
  for (const section of CONFIG_SECTIONS) if (decoded.release.config[section] !== undefined) inputs[section] = decoded.release.config[section];
  return inputs;
}

function pickInputs(props: WireProps): WireProps {
  const inputs: WireProps = {};
  for (const key of INPUT_KEYS) if (props[key] !== undefined) inputs[key] = key === "adminToken" ? secret(props[key]) : props[key];
  return inputs;
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

  /**
   * What resources registered in this deployment hold: router URL → release hash → admin token. The
   * engine runs one plugin process per deployment and diffs (or creates) every resource the program
   * still declares before it deletes any, so a delete can tell a release another resource (or its
   * own replacement) keeps from one nobody keeps.
   */
  const held = new Map<string, Map<string, string>>();
  /** URN → the old state of a resource this deployment replaces (from its diff). */
  const replacing = new Map<string, WireProps>();
  const hold = (url: string, hash: string, token: string): void => {
    const hashes = held.get(url) ?? new Map<string, string>();
    hashes.set(hash, token);
    held.set(url, hashes);
  };

  const list = async (url: string, token: string): Promise<Awaited<ReturnType<AdminPort["listReleases"]>>> => {
    try {
      return await adminFor({ url, token }).listReleases();
    } catch (error) {
      throw describe(error, "reading the active release", url);
    }
  };

  /** `Release.get`: the active release of the router the id names, read with the token given to `get`. */
  const readById = async (id: string, props: WireProps): Promise<ReadResult> => {
    const url = normaliseUrl(stringOf(props, "routerUrl") ?? id);
    if (!/^https?:\/\/[^/\s]+/.test(url))
      throw new ReleaseProviderError("invalid_inputs", `cannot read release "${id}": the id of a Release is its router's http(s) URL`);
    const token = stringOf(props, "adminToken");
    if (token === undefined || token === "") {
      throw new ReleaseProviderError(
        "invalid_inputs",
        `cannot read the release on ${url}: the id (the router URL) does not carry the admin token; pass it to get: Release.get(name, "${url}", { adminToken })`,
      );
    }
    const listing = await list(url, token);
    const active = listing.releases.find((r) => r.hash === listing.active);
    const outs: WireProps = {
      routerUrl: url,
      adminToken: secret(token),
      hash: listing.active,
      activeHash: listing.active,
      activatedAt: active?.activatedAt ?? null,
      previousHash: null,
      drift: null,
    };
    if (active?.environment !== undefined) outs["environment"] = active.environment;
    return { id: url, props: outs, inputs: pickInputs(outs) };
  };

  return {
    /** Validates inputs; every problem is a failure naming its property. Unknown values (preview) pass. */
    async check(_olds: WireProps, news: WireProps): Promise<CheckResult> {
      const failures: CheckFailure[] = [];
      const url = readString(news, "routerUrl");
      const token = readString(news, "adminToken");
      const text = readString(news, "release");
      const hash = readString(news, "hash");
      if (url.kind === "absent")
        failures.push({ property: "routerUrl", reason: "routerUrl is required: the router's base URL, e.g. http://router.internal:8787" });
      else if (url.kind === "invalid") failures.push({ property: "routerUrl", reason: `routerUrl must be a string, got ${url.type}` });
      else if (url.kind === "value" && !/^https?:\/\/[^/\s]+/.test(url.value))
        failures.push({ property: "routerUrl", reason: `routerUrl must be an http(s) URL, got "${url.value}"` });
      if (token.kind === "absent" || (token.kind === "value" && token.value === ""))
        failures.push({ property: "adminToken", reason: "adminToken is required: the router's SWITCHYARD_ADMIN_TOKEN, as a Pulumi secret" });
      else if (token.kind === "invalid") failures.push({ property: "adminToken", reason: `adminToken must be a string, got ${token.type}` });
      let release: Release | undefined;
      if (text.kind === "absent")
        failures.push({ property: "release", reason: "release is required: the text of switchyard.json from a build (see compileRoutes)" });
      else if (text.kind === "invalid") failures.push({ property: "release", reason: `release must be the text of switchyard.json, got ${text.type}` });
      else if (text.kind === "value") {
        const parsed = parseRelease(text.value);
        if (parsed.success) release = parsed.data;
        else
          for (const issue of parsed.issues)
            failures.push({ property: "release", reason: `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message} (${issue.code})` });
      }
      if (release && hash.kind === "value" && hash.value !== release.hash)
        failures.push({ property: "hash", reason: `hash ${hash.value} does not match the release's content hash ${release.hash}` });

      if (failures.length > 0 || url.kind !== "value" || token.kind !== "value" || text.kind !== "value" || !release) {
        const inputs: WireProps = { ...news };
        if (news["adminToken"] !== undefined && !isUnknown(news["adminToken"])) inputs["adminToken"] = secret(news["adminToken"]);
        return { inputs, failures };
      }
      return { inputs: inputsOf({ routerUrl: normaliseUrl(url.value), adminToken: token.value, releaseText: text.value, release }), failures };
    },

    /** Route-level changes from `diffConfigs`; a config change is an update, never a replacement. */
    async diff(_id: string, olds: WireProps, news: WireProps, urn?: string): Promise<DiffResult> {
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
          for (const [key, kind] of detailedDiffOf(diffConfigs(before.data.config, after.data.config).changes, before.data.config, after.data.config)) {
            detailedDiff[key] = { kind, inputDiff: true };
            diffs.add(/^[^.[]+/.exec(key)?.[0] ?? key);
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
      // The engine diffs every resource the program still declares before deleting any.
      const newUrl = stringOf(news, "routerUrl");
      const newHash = stringOf(news, "hash");
      const newToken = stringOf(news, "adminToken");
      if (newUrl !== undefined && newHash !== undefined && newToken !== undefined) hold(normaliseUrl(newUrl), newHash, newToken);
      if (replaces.length > 0 && urn !== undefined) replacing.set(urn, olds);
      return { changes: diffs.size > 0, diffs: [...diffs], replaces, detailedDiff };
    },

    /**
     * Uploads and activates the release; the id is the router URL (one managed release per router).
     * A release already active (a rename, or `--replace`) is adopted: the replaced resource's
     * `previousHash` carries over when this deployment diffed it, otherwise there is none.
     */
    async create(inputs: WireProps, urn?: string): Promise<{ id: string; outs: WireProps }> {
      const decoded = decode(inputs);
      const outs = await rollOut(decoded, `activating release ${decoded.release.hash.slice(0, 12)}`);
      hold(decoded.routerUrl, decoded.release.hash, decoded.adminToken);
      const old = urn === undefined ? undefined : replacing.get(urn);
      if (outs["previousHash"] === null && old !== undefined && stringOf(old, "hash") === decoded.release.hash)
        outs["previousHash"] = old["previousHash"] ?? null;
      return { id: decoded.routerUrl, outs };
    },

    /** Uploads and activates the new release; `previousHash` becomes the release it replaced. */
    async update(_id: string, olds: WireProps, news: WireProps): Promise<{ outs: WireProps }> {
      const decoded = decode(news);
      const outs = await rollOut(decoded, `activating release ${decoded.release.hash.slice(0, 12)}`);
      hold(decoded.routerUrl, decoded.release.hash, decoded.adminToken);
      // The same release again (a token change, or repairing drift): what it replaced is still what destroy restores.
      if (stringOf(olds, "hash") === decoded.release.hash || outs["previousHash"] === null) outs["previousHash"] = olds["previousHash"] ?? null;
      return { outs };
    },

    /**
     * Reads which release is active; a different one means drift, reported in `activeHash` and `drift`.
     * Without a release in the state (`Release.get(name, routerUrl, { adminToken })`) it reads the
     * router's active release from the id (the router URL) and the token alone.
     */
    async read(id: string, props: WireProps): Promise<ReadResult> {
      if (stringOf(props, "release") === undefined) return readById(id, props);
      const decoded = decode(props);
      const listing = await list(decoded.routerUrl, decoded.adminToken);
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

    /**
     * Rolls the router back to the release that was active before ours, only while ours is what the
     * router runs and no resource of this deployment holds it: after a create-before-delete
     * replacement or a rename the new resource's release is active (or is ours, adopted), and after
     * an out-of-band activation the router runs what someone chose. Either way nothing is undone.
     */
    async delete(id: string, props: WireProps): Promise<void> {
      const url = normaliseUrl(stringOf(props, "routerUrl") ?? id);
      const token = stringOf(props, "adminToken");
      const releaseText = stringOf(props, "release");
      const parsed = releaseText === undefined ? undefined : parseRelease(releaseText);
      const hash = parsed?.success === true ? parsed.data.hash : stringOf(props, "hash");
      const previous = stringOf(props, "previousHash");
      if (previous === undefined || hash === undefined) return;
      if (token === undefined) throw new ReleaseProviderError("invalid_inputs", "adminToken is not set");
      if (held.get(url)?.has(hash) === true) return;
      const listing = await list(url, token);
      if (listing.active !== hash) return;
      // The same router under another URL (a replacement that only respelled routerUrl): same listing, same process.
      for (const [other, hashes] of held) {
        const otherToken = hashes.get(hash);
        if (other === url || otherToken === undefined) continue;
        const theirs = await list(other, otherToken).catch(() => undefined);
        if (theirs !== undefined && JSON.stringify(theirs) === JSON.stringify(listing)) return;
      }
      const admin = adminFor({ url, token });
      try {
        await admin.activate(previous);
      } catch (error) {
        const described = describe(error, `rolling back to release ${previous.slice(0, 12)}`, url);
        if (described.code !== "release_not_found") throw described;
        // A restarted router forgets its history: say how to get out rather than leave destroy stuck.
        throw new ReleaseProviderError(
          described.code,
          `${described.message}\nThe router no longer has release ${previous}: upload it again (switchyard release push <build> --router ${url}) and retry, or drop this resource from the stack with \`pulumi state delete\`.`,
        );
      }
    },
  };
}

export type ReleaseProvider = ReturnType<typeof createReleaseProvider>;
