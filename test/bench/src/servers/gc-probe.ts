/**
 * @module Preloaded into each router of `redis-ab.ts --gc` (`node --require ./gc-probe.cjs …`, bundled like the other
 * servers): V8's GCProfiler over the process's life, summed per kind of collection and written as JSON to
 * `SWITCHYARD_GC_PROBE_OUT` when the process exits. Per collection V8 reports its cost and the heap before and after,
 * so the sums say how much was allocated, how much survived each scavenge and how much was promoted to the old
 * generation. Measurement only; nothing per request.
 */
import { writeFileSync } from "node:fs";
import { GCProfiler } from "node:v8";

/** One kind of collection's sums: how many, their cost (µs), and bytes left in new space / moved to old space. */
export interface GcKindStats {
  count: number;
  costUs: number;
  survivedBytes: number;
  promotedBytes: number;
}

/** What the probe writes. `allocatedBytes`: heap growth between collections, summed (what the program allocated). */
export interface GcProbeReport {
  allocatedBytes: number;
  kinds: Record<string, GcKindStats>;
}

interface HeapSide {
  heapStatistics: { usedHeapSize: number };
  heapSpaceStatistics: Array<{ spaceName: string; spaceUsedSize: number }>;
}

const out = process.env["SWITCHYARD_GC_PROBE_OUT"];
if (out !== undefined) {
  const profiler = new GCProfiler();
  profiler.start();
  const space = (side: HeapSide, name: string): number => side.heapSpaceStatistics.find((s) => s.spaceName === name)?.spaceUsedSize ?? 0;
  process.on("exit", () => {
    const result = profiler.stop() as unknown as { statistics: Array<{ gcType: string; cost: number; beforeGC: HeapSide; afterGC: HeapSide }> };
    const report: GcProbeReport = { allocatedBytes: 0, kinds: {} };
    let usedAfterLast: number | undefined;
    for (const gc of result.statistics) {
      const kind = (report.kinds[gc.gcType] ??= { count: 0, costUs: 0, survivedBytes: 0, promotedBytes: 0 });
      kind.count++;
      kind.costUs += gc.cost;
      kind.survivedBytes += space(gc.afterGC, "new_space");
      kind.promotedBytes += Math.max(0, space(gc.afterGC, "old_space") - space(gc.beforeGC, "old_space"));
      if (usedAfterLast !== undefined) report.allocatedBytes += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - usedAfterLast);
      usedAfterLast = gc.afterGC.heapStatistics.usedHeapSize;
    }
    writeFileSync(out, JSON.stringify(report));
  });
}
