/**
 * @module The complexity signal: a cheap, deterministic 0-100 score of a chat body that `when` rules test as
 * `complexity: "low" | "medium" | "high"`. No model, no tokenizer, no I/O: the same body always scores the same.
 */
import type { ComplexityLevel, ComplexityThresholds } from "@switchyard/ir";

/**
 * Points per feature; the score is their sum, at most 100. Chosen so that a one-line question is low, a long
 * multi-turn or code-bearing request is medium, and a long request combining several features is high.
 */
export const COMPLEXITY_WEIGHTS = {
  /** Length: 10·log10(1 + chars/200), capped — 200 chars ≈ 3, 2,000 ≈ 10, 20,000 ≈ 20, 200,000 ≈ 30. */
  lengthMax: 30,
  /** Per user turn after the first (conversation depth). */
  perExtraTurn: 3,
  turnsMax: 15,
  /** Per fenced code block (```), any message. */
  perCodeBlock: 15,
  codeMax: 25,
  /** Tools declared: a base plus per tool. */
  toolsBase: 5,
  perTool: 2,
  toolsMax: 15,
  /** Per image part. */
  perImage: 5,
  imagesMax: 10,
  /** Language mix: 10 × 2·min(r, 1 − r), r the non-ASCII share of the scanned text (a 50/50 mix scores 10). */
  mixMax: 10,
  /** Characters scanned for the language mix (the head of the text: the rest costs time and rarely changes the share). */
  mixScanChars: 4096,
} as const;

/** Default thresholds when a route declares none: a score ≥ 15 is medium, ≥ 40 high. */
export const DEFAULT_COMPLEXITY_THRESHOLDS: ComplexityThresholds = Object.freeze({ medium: 15, high: 40 });

/** The features the score is made of (what `switchyard explain --prompt-file` prints). */
export interface ComplexityFeatures {
  chars: number;
  userTurns: number;
  codeBlocks: number;
  tools: number;
  images: number;
  /** Non-ASCII share of the scanned text, 0..1. */
  nonAscii: number;
}

/** Score 0-100 of a chat body (`messages`, `tools`); see COMPLEXITY_WEIGHTS and docs/routing.md#complexity. */
export function complexityScore(body: unknown): number {
  return scoreOf(complexityFeatures(body));
}

/** The level a score has under a route's thresholds. */
export function complexityLevel(score: number, thresholds: ComplexityThresholds = DEFAULT_COMPLEXITY_THRESHOLDS): ComplexityLevel {
  return score >= thresholds.high ? "high" : score >= thresholds.medium ? "medium" : "low";
}

/** The score of measured features (pure arithmetic). */
export function scoreOf(f: ComplexityFeatures): number {
  const w = COMPLEXITY_WEIGHTS;
  const length = Math.min(w.lengthMax, 10 * Math.log10(1 + f.chars / 200));
  const turns = Math.min(w.turnsMax, w.perExtraTurn * Math.max(0, f.userTurns - 1));
  const code = Math.min(w.codeMax, w.perCodeBlock * f.codeBlocks);
  const tools = f.tools === 0 ? 0 : Math.min(w.toolsMax, w.toolsBase + w.perTool * f.tools);
  const images = Math.min(w.imagesMax, w.perImage * f.images);
  const mix = w.mixMax * 2 * Math.min(f.nonAscii, 1 - f.nonAscii);
  return Math.min(100, Math.round(length + turns + code + tools + images + mix));
}

/** Measure a chat body in one pass over its messages (text is scanned only for fences and, at its head, non-ASCII). */
export function complexityFeatures(body: unknown): ComplexityFeatures {
  const b = (typeof body === "object" && body !== null ? body : {}) as { messages?: unknown; tools?: unknown; functions?: unknown };
  const m = new Measure();
  if (Array.isArray(b.messages)) {
    for (const message of b.messages as unknown[]) {
      if (typeof message !== "object" || message === null) continue;
      const { role, content } = message as { role?: unknown; content?: unknown };
      if (role === "user") m.userTurns++;
      if (typeof content === "string") m.text(content);
      else if (Array.isArray(content)) {
        for (const part of content as unknown[]) {
          if (typeof part !== "object" || part === null) continue;
          const p = part as { type?: unknown; text?: unknown; image_url?: unknown };
          if (typeof p.text === "string") m.text(p.text);
          else if (p.type === "image_url" || p.image_url !== undefined) m.images++;
        }
      }
    }
  }
  const tools = b.tools ?? b.functions;
  return {
    chars: m.chars,
    userTurns: m.userTurns,
    codeBlocks: m.fences >> 1 || (m.fences > 0 ? 1 : 0),
    tools: Array.isArray(tools) ? tools.length : 0,
    images: m.images,
    nonAscii: m.nonAsciiShare(),
  };
}

/** Any character outside ASCII (a regular expression scans far faster than a charCodeAt loop). */
const NON_ASCII = /[\u0080-\uffff]/;

class Measure {
  chars = 0;
  userTurns = 0;
  fences = 0;
  images = 0;
  /** Characters taken so far for the language mix (at most mixScanChars), and the texts they are in (with how many each). */
  head = 0;
  headTexts: string[] = [];
  headLengths: number[] = [];
  /** Some text holds a non-ASCII character: only then is the head counted letter by letter. */
  anyNonAscii = false;

  text(s: string): void {
    this.chars += s.length;
    for (let i = s.indexOf("```"); i >= 0; i = s.indexOf("```", i + 3)) this.fences++;
    const n = Math.min(s.length, COMPLEXITY_WEIGHTS.mixScanChars - this.head);
    if (n <= 0) return;
    this.head += n;
    this.headTexts.push(s);
    this.headLengths.push(n);
    if (!this.anyNonAscii && NON_ASCII.test(s)) this.anyNonAscii = true;
  }

  /**
   * Non-ASCII share of the letters in the head. All-ASCII text (the common case) is 0 without a letter count; otherwise
   * letters only are counted: digits, spaces and punctuation say nothing about the language.
   */
  nonAsciiShare(): number {
    if (!this.anyNonAscii) return 0;
    let letters = 0;
    let other = 0;
    for (let t = 0; t < this.headTexts.length; t++) {
      const s = this.headTexts[t] as string;
      const n = this.headLengths[t] as number;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) other++;
        else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) letters++;
      }
    }
    return letters + other === 0 ? 0 : other / (letters + other);
  }
}
