/** @module JSON Lines trace sink: stdout or a size-rotated file, written in the background from a bounded queue. */
import { traceJson } from "./trace-json.ts";
import { type FileHandle, open, rename, rm, stat } from "node:fs/promises";
import { makeDir } from "../runtime/make-dir.ts";
import { dirname } from "node:path";
import type { TraceRecord, TraceSink } from "./types.ts";

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

/** How long appends wait to gather a batch, and the queued size that writes at once. */
const LINGER_MS = 20;
const BATCH_CHARS = 64 * 1024;

/**
 * Create a JSONL sink. `write` only queues; one background loop appends batches (gathered for up to
 * LINGER_MS or BATCH_CHARS; flush() and close() write at once), rotating
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
    return {
      write(record) {
        try {
          out.write(`${traceJson(record)}\n`);
        } catch {
          drop(1);
        }
      },
      flush: async () => undefined,
      close: async () => undefined,
    };
  }

  let queue: string[] = [];
  // Appends gather for up to LINGER_MS or BATCH_CHARS: a file write costs ~20 µs of CPU however small,
  // so one write per record (what a busy router got from an eager loop) cost more than the record itself.
  let queuedChars = 0;
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
    while (queue.length > 0) {
      if (urgent === 0 && queuedChars < BATCH_CHARS) await linger();
      const batch = queue;
      queue = [];
      queuedChars = 0;
      const text = batch.join("");
      try {
        if (size < 0) {
          await makeDir(dirname(options.path));
          size = await stat(options.path).then((s) => s.size, () => 0);
        }
        const bytes = Buffer.byteLength(text);
        if (size > 0 && size + bytes > options.maxBytes) await rotate();
        handle ??= await open(options.path, "a");
        await handle.write(text);
        size += bytes;
      } catch {
        drop(batch.length);
        await handle?.close().catch(() => undefined);
        handle = undefined;
        size = -1;
      }
    }
  };

  const kick = (): void => {
    running ??= pump().finally(() => {
      running = undefined;
      if (queue.length > 0 && !closed) kick();
    });
  };

  return {
    write(record) {
      if (closed) return;
      if (queue.length >= maxQueue) return drop(1);
      const line = `${traceJson(record)}\n`;
      queue.push(line);
      queuedChars += line.length;
      if (queuedChars >= BATCH_CHARS) wake?.();
      kick();
    },
    async flush() {
      urgent++;
      wake?.();
      try {
        while (running !== undefined) await running;
        if (queue.length > 0) {
          kick();
          await running;
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
