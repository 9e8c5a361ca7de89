/** @module Writing a streamed answer: the first upstream event commits the 200, chunks go out in the dialect's events, back-pressure is honoured. */
import type { Candidate } from "../core/index.ts";
import type { BufferedStreamIterator, StreamEvent } from "../adapters/types.ts";
import { UpstreamError, toUpstreamError } from "../adapters/types.ts";
import type { RequestContext } from "../execute/context.ts";
import { type ExecuteDeps, type OpenedStream, noteChunkUsage, openStream } from "../execute/execute.ts";
import { ClientGoneError } from "../execute/timers.ts";
import type { StreamEncoder } from "../protocol/dialect.ts";
import { SSE_HEADERS, answerHeaders, drain } from "./respond.ts";
import type { ResponseLike } from "./fast-path.ts";
import { StreamedOutput, settleProduced } from "./stream-usage.ts";

/**
 * Stream `ctx`'s answer to `res` through `encoder`. Resolves when the stream ended (cleanly, or with the encoder's
 * failure event after a mid-stream upstream failure); rejects with the client's departure or with an error raised
 * before anything was written (for the caller to answer).
 */
export async function streamAnswer(res: ResponseLike, ctx: RequestContext, deps: ExecuteDeps, encoder: StreamEncoder, promptTokens: number): Promise<void> {
  /** The output sent so far: a stream cut before the upstream's usage report settles on it (settleProduced). */
  const output = new StreamedOutput();
  /** The SSE text of an event ("" for nothing, e.g. a usage-only chunk the client did not ask for). */
  const frame = (event: StreamEvent): string => {
    output.add(event.chunk);
    return encoder.chunk(event.chunk, event.raw, noteChunkUsage(ctx, event.chunk));
  };
  /** Write `text`; a promise only when the client is behind (no async wrapper: a promise and a microtask turn per chunk less). */
  const write = (text: string): Promise<void> | undefined => (text !== "" && !res.write(text) ? drain(res, ctx.cancel) : undefined);
  // The response is committed at the first upstream event: the headers name the attempt that sent it.
  let committed = false;
  const commit = (answered: Candidate | undefined): void => {
    committed = true;
    res.writeHead(200, answerHeaders(ctx, ctx.route, SSE_HEADERS, answered));
  };
  let opened: OpenedStream;
  try {
    opened = await openStream(ctx, deps, (event, candidate) => {
      // A fallback's preamble is dropped: the client already has a role chunk.
      if (committed) return;
      commit(candidate);
      return write(frame(event));
    });
  } catch (thrown) {
    // Every candidate failed after the 200 went out: the status can no longer say so.
    if (committed && !(thrown instanceof ClientGoneError) && !res.writableEnded) res.end(encoder.fail((thrown as Error).message));
    throw thrown;
  }
  const { attempt } = opened;
  if (!committed) commit(ctx.answered);
  try {
    // What arrived up to the first token leaves in one write (with the headers when not yet committed).
    let head = "";
    for (const event of opened.head) head += frame(event);
    let behind = write(head);
    if (behind !== undefined) await behind;
    const rest = opened.rest;
    if (rest !== undefined) {
      const takeReady = (rest as Partial<BufferedStreamIterator>).takeReady;
      for (;;) {
        const next = await rest.next();
        if (next.done === true) break;
        let text = frame(next.value);
        // The events the same upstream read carried leave with it, in one write.
        if (takeReady !== undefined) for (let ready = takeReady.call(rest); ready !== undefined; ready = takeReady.call(rest)) text += frame(ready);
        behind = write(text);
        if (behind !== undefined) await behind;
      }
    }
    res.end(encoder.end());
    attempt.succeed(opened.ttftMs);
  } catch (thrown) {
    // Cut part-way (the client left, or the upstream broke): the budget settles on what was produced.
    settleProduced(ctx, promptTokens, output);
    if (ctx.cancel.reason !== undefined) {
      attempt.fail(new UpstreamError("rejected", "client went away"));
      throw ctx.cancel.reason;
    }
    const error = toUpstreamError(thrown, attempt.abort.signal);
    attempt.fail(
      error.errorClass === "stream_interrupted"
        ? error
        : new UpstreamError(error.errorClass, `stream interrupted: ${error.message}`, error.status !== undefined ? { status: error.status } : {}),
    );
    if (!res.writableEnded) res.end(encoder.fail(error.message));
  }
}
