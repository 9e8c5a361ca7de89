/**
 * @module Preloaded into the soaked router.mjs (`node --import ./heap-probe.mjs router.mjs`): reports
 * process.memoryUsage() over the IPC channel every second, since the router exposes no heap metrics.
 * Measurement only; the timer is unref'd so it never keeps the process alive.
 */
if (typeof process.send === "function") {
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    process.send?.({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss });
  }, 1_000);
  timer.unref();
  process.channel?.unref();
}
