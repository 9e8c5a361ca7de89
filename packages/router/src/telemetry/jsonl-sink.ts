/** @module JSON Lines trace sink: stdout or a size-rotated file, written in the background from a bounded queue. */
import { traceJson } from "./trace-json.ts";
import { constants } from "node:fs";
import { type FileHandle, open, rename, rm, stat } from "node:fs/promises";
import { makeDir } from "../runtime/make-dir.ts";
import { dirname } from "node:path";
import type { TraceSink } from "./types.ts";

export interface JsonlSinkOptions {
  /** `stdout` or a file path. */
  path: string;
  /** Rotate before the file grows past this many bytes. */
  maxBytes: number;
  /** Rotated files kept: `path.1` (newest) … `path.keep`; 0 truncates in place. */
  keep: number;
  /** Records queued while the disk is slow; beyond it records are dropped and counted. Default 10 000. */
  maxQueue?: number;
  /** Called with the number of records dropped (full queue or a failed write). */
  onDrop?: (count: number) => void;
  /** Where `stdout` writes go (tests inject). Default process.stdout. */
  stdout?: { write(chunk: string): boolean };
}

export interface JsonlSink extends TraceSink {
  /** Resolves once every record written so far has reached the file (or been dropped). */
  flush(): Promise<void>;
}

/** How long appends wait to gather a batch, and the queued size (bytes) that writes at once. */
const LINGER_MS = 20;
const BATCH_BYTES = 64 * 1024;
/** Written chunks kept for reuse. */
const SPARE_CHUNKS = 4;
/** "a", but never through a symlink at the file itself (one planted there would redirect the writes). */
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);

/**
 * Create a JSONL sink. `write` only queues; one background loop appends batches (gathered for up to
 * LINGER_MS or BATCH_BYTES; flush() and close() write at once), rotating
 * `path` → `path.1` → … when the next batch would pass `maxBytes`.
 *
 * @example const sink = jsonlSink({ path: "traces.jsonl", maxBytes: 64 << 20, keep: 5 });
 */
export function jsonlSink(options: JsonlSinkOptions): JsonlSink {
  const maxQueue = options.maxQueue ?? 10_000;
  const drop = (count: number): void => {
    if (count > 0) options.onDrop?.(count);
  };
  if (options.path === "stdout") {
    const out = options.stdout ?? process.stdout;
    const print = (line: string): void => {
      try {
        out.write(line);
      } catch {
        drop(1);
      }
    };
    return {
      write: (record) => print(`${traceJson(record)}\n`),
      // Events are rare (a canary decision every few minutes at most): JSON.stringify is enough.
      event: (event) => print(`${JSON.stringify(event)}\n`),
      flush: async () => undefined,
      close: async () => undefined,
    };
  }

  // A queued line is encoded into an off-heap chunk at once rather than kept as a string: strings
  // waiting for the batch outlived young-generation collections and doubled their cost (the line is
  // a rope of many small strings until something flattens it).
  let chunks: Buffer[] = [];
  /** The whole chunks behind `chunks`, handed back to `spare` once written (no allocation per batch). */
  let sealed: Buffer[] = [];
  const spare: Buffer[] = [];
  let chunk: Buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  let used = 0;
  let queuedBytes = 0;
  let queuedLines = 0;
  const seal = (): void => {
    if (used === 0) return;
    chunks.push(chunk.subarray(0, used));
    sealed.push(chunk);
    chunk = spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
    used = 0;
  };
  const enqueue = (line: string): void => {
    // utf8 needs at most 3 bytes per UTF-16 unit; most lines are ASCII and fit the room left.
    if (used + line.length * 3 > BATCH_BYTES) {
      const bytes = Buffer.byteLength(line);
      if (used + bytes > BATCH_BYTES) seal();
      if (bytes > BATCH_BYTES) {
        chunks.push(Buffer.from(line));
        queuedBytes += bytes;
        return;
      }
    }
    const written = chunk.write(line, used);
    used += written;
    queuedBytes += written;
  };
  // Appends gather for up to LINGER_MS or BATCH_BYTES: a file write costs ~20 µs of CPU however small,
  // so one write per record (what a busy router got from an eager loop) cost more than the record itself.
  /** flush()/close() in progress: write what is queued at once. */
  let urgent = 0;
  let wake: (() => void) | undefined;
  const linger = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, LINGER_MS);
      wake = done;
    });
  let handle: FileHandle | undefined;
  let size = -1;
  let running: Promise<void> | undefined;
  let closed = false;

  const rotate = async (): Promise<void> => {
    await handle?.close();
    handle = undefined;
    if (options.keep === 0) await rm(options.path, { force: true });
    else {
      await rm(`${options.path}.${options.keep}`, { force: true });
      for (let n = options.keep - 1; n >= 1; n--) await rename(`${options.path}.${n}`, `${options.path}.${n + 1}`).catch(() => undefined);
      await rename(options.path, `${options.path}.1`).catch(() => undefined);
    }
    size = 0;
  };

  const pump = async (): Promise<void> => {
    while (queuedLines > 0) {
      if (urgent === 0 && queuedBytes < BATCH_BYTES) await linger();
      seal();
      const batch = chunks;
      const written = sealed;
      const lines = queuedLines;
      const bytes = queuedBytes;
      chunks = [];
      sealed = [];
      queuedLines = 0;
      queuedBytes = 0;
      try {
        if (size < 0) {
          await makeDir(dirname(options.path));
          size = await stat(options.path).then(
            (s) => s.size,
            () => 0,
          );
        }
        if (size > 0 && size + bytes > options.maxBytes) await rotate();
        handle ??= await open(options.path, APPEND);
        await handle.writev(batch);
        size += bytes;
      } catch {
        drop(lines);
        await handle?.close().catch(() => undefined);
        handle = undefined;
        size = -1;
      }
      for (const whole of written) if (spare.length < SPARE_CHUNKS) spare.push(whole);
    }
  };

  const kick = (): void => {
    running ??= pump().finally(() => {
      running = undefined;
      if (queuedLines > 0 && !closed) kick();
    });
  };

  const append = (line: string): void => {
    if (closed) return;
    if (queuedLines >= maxQueue) return drop(1);
    enqueue(line);
    queuedLines++;
    if (queuedBytes >= BATCH_BYTES) wake?.();
    kick();
  };

  return {
    write: (record) => append(`${traceJson(record)}\n`),
    event: (event) => append(`${JSON.stringify(event)}\n`),
    async flush() {
      urgent++;
      wake?.();
      try {
        while (running !== undefined) await running;
        if (queuedLines > 0) {
          kick();
          // kick() has just set `running`; the narrowing TypeScript keeps from the loop above cannot see that.
          await (running as Promise<void> | undefined);
        }
      } finally {
        urgent--;
      }
    },
    async close() {
      await this.flush();
      closed = true;
      await handle?.close().catch(() => undefined);
      handle = undefined;
    },
  };
}
