/**
 * @module The Node flags the router is deployed with: a smaller young generation and a slower-growing
 * old generation, so a busy router stays near 80 MB RSS instead of ~100 MB.
 */

/**
 * Flags for `node <flags> router.mjs` wherever Switchyard controls the launch (the Pulumi Kubernetes
 * component; the bench runs the router the same way). Under sustained load V8 grows the young
 * generation to 3 × 16 MB and lets the old generation reach ~4× its live size (~8 MB here) between
 * full collections; these cap the semi-spaces at 4 MB and the growth at 1.5×. Measured on the bench
 * fixture (Nov 2026, 2 shared cores, interleaved rounds): RSS peak 76-83 MB instead of 100-118 MB.
 * The price is garbage-collection CPU: +9 % to +29 % CPU per request in fixed-rate runs (the
 * collector's share of the main thread ~2-4 % → ~6 %); a bare proxy with these flags kept 70-104 % of
 * its throughput in the Nov 27 runs. Drop the flags where CPU matters more than memory. 43 MB of the RSS is the node binary itself
 * (file-backed). `--heap-growing-percent` is a V8 flag Node does not accept in NODE_OPTIONS: pass
 * these on the command line.
 */
export const ROUTER_NODE_FLAGS: readonly string[] = Object.freeze(["--max-semi-space-size=4", "--heap-growing-percent=50"]);
