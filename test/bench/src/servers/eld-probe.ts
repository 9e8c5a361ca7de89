/**
 * @module Preloaded into each system of `pnpm bench:streams` (`node --import ./eld-probe.cjs …`, bundled like the other servers), as the soak's
 * heap probe is: the process's event-loop delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution: one
 * libuv timer, nothing per request) and memory, answered over the IPC channel. "reset" starts a new
 * window; "read" answers {eld: {p50, p99, max, mean} in ms, rss, heapUsed}. The channel is unref'd:
 * it never keeps the process alive. Measurement only; none of the systems exposes its event-loop delay.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

if (typeof process.send === "function") {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
  process.on("message", (message: unknown) => {
    if (message === "eld:reset") histogram.reset();
    else if (message === "eld:read") {
      const m = process.memoryUsage();
      process.send?.({
        probe: {
          eld: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), mean: ms(histogram.mean) },
          rss: m.rss,
          heapUsed: m.heapUsed,
        },
      });
    }
  });
  process.channel?.unref();
}
