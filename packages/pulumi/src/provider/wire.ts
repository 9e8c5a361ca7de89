/**
 * @module provider/wire — property values as the Pulumi engine sends them over gRPC: secrets are
 * `{ [sig]: secretSig, value }` objects and values unknown during a preview are a sentinel string.
 * The provider decodes them on the way in and marks its secret outputs on the way out.
 */
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc.js";

/** A property bag as it crosses the wire (google.protobuf.Struct → JavaScript). */
export type WireProps = Record<string, unknown>;

/** True for a value the engine does not know yet (a preview with computed inputs). */
export function isUnknown(value: unknown): boolean {
  if (value === unknownValue) return true;
  if (isSecretValue(value)) return isUnknown(value.value);
  return false;
}

function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** The plain value and whether it arrived as a secret. */
export function unwrap(value: unknown): { value: unknown; secret: boolean } {
  if (isSecretValue(value)) return { value: value.value, secret: true };
  return { value, secret: false };
}

/** Wrap a value as a Pulumi secret (idempotent). */
export function secret(value: unknown): Record<string, unknown> {
  if (isSecretValue(value)) return value as Record<string, unknown>;
  return { [specialSigKey]: specialSecretSig, value };
}

/** A string property: `undefined` when absent, `"unknown"` when not known yet. */
export function readString(
  props: WireProps,
  name: string,
): { kind: "absent" } | { kind: "unknown" } | { kind: "value"; value: string; secret: boolean } | { kind: "invalid"; type: string } {
  const raw = props[name];
  if (raw === undefined || raw === null) return { kind: "absent" };
  if (isUnknown(raw)) return { kind: "unknown" };
  const { value, secret: isSecret } = unwrap(raw);
  if (typeof value !== "string") return { kind: "invalid", type: Array.isArray(value) ? "array" : typeof value };
  return { kind: "value", value, secret: isSecret };
}

/** The string value of a property, or undefined (absent, unknown or not a string). */
export function stringOf(props: WireProps, name: string): string | undefined {
  const read = readString(props, name);
  return read.kind === "value" ? read.value : undefined;
}
