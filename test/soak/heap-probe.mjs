/**
 * @module Preloaded into the soaked router.mjs (`node --expose-gc --import ./heap-probe.mjs router.mjs`):
 * reports process.memoryUsage() over the IPC channel every second, since the router exposes no heap
 * metrics. Every fifth report follows a full garbage collection (`gc()`, when --expose-gc is given) and
 * says so: heap used sampled between collections drifts with the collector's schedule, heap after one
 * is what a leak would grow. Measurement only; the timer is unref'd so it never keeps the process alive.
 */
if (typeof process.send === "function") {
  let tick = 0;
  const timer = setInterval(() => {
    const collected = ++tick % 5 === 0 && typeof globalThis.gc === "function";
    if (collected) globalThis.gc();
    const m = process.memoryUsage();
    process.send?.({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss, afterGc: collected });
  }, 1_000);
  timer.unref();
  process.channel?.unref();
}
