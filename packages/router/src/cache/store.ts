/**
 * @module Where cached answers live: the store interface, and the in-memory LRU bounded by bytes (the default; with
 * Redis state, state/redis/cache.ts shares answers across replicas). A stored answer is JSON text: its size is known,
 * and a hit is a fresh object no request can change for the next.
 */
import type { ChatCompletion, Usage } from "../protocol/chat.ts";
import { STOP_SEQUENCE } from "../protocol/stop-sequence.ts";

/** One cached answer: the internal completion and what it cost when it was made. */
export interface CachedAnswer {
  completion: ChatCompletion;
  /** The usage the upstream reported (what the answer's tokens were; a hit charges none of them). */
  usage: Usage | undefined;
  /** The model and provider that answered. */
  model: string;
  provider: string;
  /** What the answer cost when it was made, USD: what each hit saves. */
  costUsd: number;
  /** Epoch ms it was stored. */
  storedAt: number;
  /**
   * The client's stop sequence that ended the answer, when the upstream said which (the first choice's STOP_SEQUENCE,
   * a symbol JSON leaves out): kept beside the completion so a hit answers a Messages client as the fresh answer did.
   */
  stopSequence?: string;
}

/** The answer as stored: its first choice's stop sequence (a symbol) as a field. */
export function storedAnswer(answer: CachedAnswer): CachedAnswer {
  const stopSequence = answer.completion.choices[0]?.[STOP_SEQUENCE];
  return stopSequence === undefined ? answer : { ...answer, stopSequence };
}

/** A response cache: `get` may answer later (Redis); `set` never waits and never throws. */
export interface ResponseCacheStore {
  get(key: string, now: number): CachedAnswer | undefined | Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer, ttlMs: number, now: number): void;
}

/** Bytes an entry is counted as beyond its text: the key, the map slot, the expiry. */
const ENTRY_OVERHEAD = 128;

/** The parsed answer of stored text, or undefined for text that does not read as one (a corrupt or foreign value). */
export function parseCachedAnswer(text: string): CachedAnswer | undefined {
  try {
    const v = JSON.parse(text) as Partial<CachedAnswer> | null;
    if (v === null || typeof v !== "object" || typeof v.completion !== "object" || v.completion === null || !Array.isArray(v.completion.choices))
      return undefined;
    if (typeof v.model !== "string" || typeof v.provider !== "string" || typeof v.costUsd !== "number" || typeof v.storedAt !== "number") return undefined;
    const first = v.completion.choices[0] as ChatCompletion["choices"][number] | undefined;
    if (typeof v.stopSequence === "string" && first !== undefined) first[STOP_SEQUENCE] = v.stopSequence;
    return { completion: v.completion, usage: v.usage ?? undefined, model: v.model, provider: v.provider, costUsd: v.costUsd, storedAt: v.storedAt };
  } catch {
    return undefined;
  }
}

interface MemoryEntry {
  text: string;
  bytes: number;
  expiresAt: number;
}

/**
 * An LRU of answers bounded by bytes (UTF-8 bytes of each answer's JSON, plus a fixed overhead per entry): a read moves
 * an entry to the young end, a write past the bound evicts from the old end; an expired entry is dropped when read. An
 * answer larger than `maxEntryBytes` (default an eighth of the bound) is not kept: one huge answer must not empty it.
 *
 * @example const cache = new MemoryResponseCache({ maxBytes: 1 << 20 }); cache.set(key, answer, 60_000, Date.now());
 */
export class MemoryResponseCache implements ResponseCacheStore {
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  /** Insertion order is recency order: the first key is the least recently used. */
  readonly #entries = new Map<string, MemoryEntry>();
  #bytes = 0;

  constructor(options: { maxBytes?: number; maxEntryBytes?: number } = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = Math.min(this.maxBytes, options.maxEntryBytes ?? Math.floor(this.maxBytes / 8));
  }

  get(key: string, now: number): CachedAnswer | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(key, entry);
    return parseCachedAnswer(entry.text);
  }

  set(key: string, answer: CachedAnswer, ttlMs: number, now: number): void {
    this.setText(key, JSON.stringify(storedAnswer(answer)), ttlMs, now);
  }

  /** Keep an answer already serialised (the Redis store's local copy while Redis is down). */
  setText(key: string, text: string, ttlMs: number, now: number): void {
    const bytes = Buffer.byteLength(text) + key.length + ENTRY_OVERHEAD;
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    if (bytes > this.maxEntryBytes) return;
    this.#entries.set(key, { text, bytes, expiresAt: now + ttlMs });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  /** Entries and bytes held now (expired entries count until read or evicted). */
  stats(): { entries: number; bytes: number; maxBytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes, maxBytes: this.maxBytes };
  }
}
