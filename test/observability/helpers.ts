/** @module Observability test helpers: a real OTLP/HTTP receiver (JSON encoding), a Prometheus text parser, JSONL reading. */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TraceRecord } from "@switchyard/router";
import { listen } from "../helpers/http-server.ts";

/** One span as an OTLP/HTTP JSON export request carries it, with attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, string | number | boolean | Array<string | number | boolean>>;
  status: number;
  service: string | undefined;
}

export interface OtlpReceiver {
  /** The traces endpoint (`…/v1/traces`). */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Export requests received (by content type). */
  requests: string[];
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } };
type Scalar = string | number | boolean;
type KeyValue = { key: string; value: AnyValue };

function valueOf(v: AnyValue): Scalar | Scalar[] {
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map((item) => scalarOf(item));
  return scalarOf(v);
}

function scalarOf(v: AnyValue): Scalar {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return "";
}

function attrs(list: KeyValue[] | undefined): Record<string, Scalar | Scalar[]> {
  const out: Record<string, Scalar | Scalar[]> = {};
  for (const kv of list ?? []) out[kv.key] = valueOf(kv.value);
  return out;
}

/** Decode an OTLP id: hex in the JSON encoding (base64 when a protobuf-JSON mapper wrote it). */
function idOf(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  return /^[0-9a-f]+$/i.test(value) ? value.toLowerCase() : Buffer.from(value, "base64").toString("hex");
}

/** A node:http OTLP/HTTP receiver on 127.0.0.1 that decodes JSON export requests (ExportTraceServiceRequest). */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: string[] = [];
  const server = await listen((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on("data", (p: Buffer) => parts.push(p));
    req.on("end", () => {
      const type = req.headers["content-type"] ?? "";
      requests.push(type);
      if (req.url !== "/v1/traces" || !type.startsWith("application/json")) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as {
        resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
      };
      for (const rs of body.resourceSpans ?? []) {
        const service = attrs(rs.resource?.attributes)["service.name"];
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: idOf(s["traceId"] as string) ?? "",
              spanId: idOf(s["spanId"] as string) ?? "",
              parentSpanId: idOf(s["parentSpanId"] as string | undefined),
              name: String(s["name"]),
              kind: Number(s["kind"]),
              startNs: BigInt(String(s["startTimeUnixNano"])),
              endNs: BigInt(String(s["endTimeUnixNano"])),
              attributes: attrs(s["attributes"] as KeyValue[]),
              status: Number((s["status"] as { code?: number } | undefined)?.code ?? 0),
              service: typeof service === "string" ? service : undefined,
            });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return { endpoint: `${server.url}/v1/traces`, spans, requests, close: server.close };
}

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the Prometheus text exposition (enough for prom-client's output). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (m === null) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] ?? ""] = (l[2] ?? "").replace(/\\(.)/g, "$1");
    out.push({ name: m[1] ?? "", labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of a metric's samples whose labels include `where`. */
export function sum(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

/** Read a JSONL trace file. */
export async function readRecords(file: string): Promise<TraceRecord[]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TraceRecord);
}

/** USD to whole cents, for "agree to the cent" comparisons. */
export const cents = (usd: number): number => Math.round(usd * 100);
