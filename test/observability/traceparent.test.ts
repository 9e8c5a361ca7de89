/** @module W3C trace context: a caller's `traceparent` makes the router's request span a child in the caller's trace (also when the caller did not sample); a malformed one is ignored. The region hint is traced too. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRouter, TraceRecord } from "@switchyard/router";
import { otlpSink } from "@switchyard/router/otlp";
import { releaseOf } from "../helpers/release.ts";
import { chat, startTestRouter } from "../helpers/router.ts";
import { type OtlpReceiver, startOtlpReceiver } from "./helpers.ts";

let receiver: OtlpReceiver;
let router: RunningRouter;
const records: TraceRecord[] = [];
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  router = await startTestRouter(
    releaseOf({
      providers: { mock: { kind: "mock" } },
      models: { m: { provider: "mock", name: "m", context: 8_000, price: { input: 1, output: 1 } } },
      routes: { chat: { model: "m" } },
      telemetry: { otlp: { endpoint: receiver.endpoint } },
    }),
    { telemetry: { otlp: otlpSink } },
  );
  router.telemetry.addSink({ write: (r) => void records.push(r), close: async () => undefined });
  const regions = ["eu", undefined, "not a region!", "us-east-1"];
  for (const [i, traceparent] of [`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-00`, "00-not-a-trace-01", `00-${"0".repeat(32)}-${SPAN}-01`].entries()) {
    const region = regions[i];
    const res = await chat(
      router,
      { model: "chat", messages: [{ role: "user", content: "hi" }] },
      { traceparent, ...(region === undefined ? {} : { "x-switchyard-region": region }) },
    );
    await res.arrayBuffer();
  }
  await router.close();
});
afterAll(async () => {
  await router?.close();
  await receiver?.close();
});

describe("traceparent", () => {
  it("valid headers are recorded; malformed and all-zero ones are not", () => {
    expect(records.map((r) => r.traceparent)).toEqual([`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-00`, undefined, undefined]);
  });

  it("the caller's region hint is recorded when it reads as a region id (what switchyard simulate replays it with)", () => {
    expect(records.map((r) => r.region)).toEqual(["eu", undefined, undefined, "us-east-1"]);
  });

  it("the request span joins the caller's trace under the caller's span, sampled or not; the others start new traces", () => {
    const roots = receiver.spans.filter((s) => s.kind === 2);
    expect(roots).toHaveLength(4);
    const joined = roots.filter((s) => s.traceId === TRACE);
    expect(joined).toHaveLength(2);
    expect(joined.every((s) => s.parentSpanId === SPAN)).toBe(true);
    expect(roots.filter((s) => s.traceId !== TRACE).every((s) => s.parentSpanId === undefined)).toBe(true);
    const children = receiver.spans.filter((s) => s.kind === 3);
    expect(children).toHaveLength(4);
    for (const c of children) expect(roots.some((r) => r.spanId === c.parentSpanId && r.traceId === c.traceId)).toBe(true);
  });
});
