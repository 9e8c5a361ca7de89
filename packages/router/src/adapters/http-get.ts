/**
 * @module A plain HTTP GET for the credential endpoints on the pod's or the machine's own network (the AWS container
 * credentials endpoint, Azure's managed identity endpoints): not the transport's business, which only POSTs to
 * upstreams. It holds no state and no classes, so each lazily loaded asset that needs it carries a copy.
 */
import http from "node:http";
import https from "node:https";

/** The largest answer read, bytes: a credential endpoint's answer is a few KB. */
export const MAX_GET_ANSWER_BYTES = 64 * 1024;

/**
 * A GET of `url` with `headers`, its answer read whole up to MAX_GET_ANSWER_BYTES; rejects when `signal` aborts, the
 * connection fails or closes early, or the answer is larger.
 *
 * @example const { status, text } = await httpGet(new URL("http://169.254.170.2/v2/credentials/x"), {}, AbortSignal.timeout(10_000))
 */
export function httpGet(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? https : http).get(url, { headers, signal }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on("data", (part: Buffer) => {
        size += part.length;
        if (size > MAX_GET_ANSWER_BYTES) req.destroy(new Error(`the answer is larger than ${MAX_GET_ANSWER_BYTES} bytes`));
        else parts.push(part);
      });
      res.once("error", reject);
      res.once("close", () => {
        if (!res.complete) reject(new Error("the connection closed before the answer's end"));
      });
      res.once("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString("utf8") }));
    });
    req.once("error", reject);
  });
}
