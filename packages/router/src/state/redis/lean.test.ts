/** The lean connection's RESP2 reader and writer: every reply shape, however the socket cuts the bytes; every command as RESP2 spells it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Reply, ReplyReader, RedisReplyError, encodeCommand } from "./lean.ts";

/** A reply as Redis writes it (RESP2). */
function encode(reply: Reply | RedisReplyError): string {
  if (reply instanceof RedisReplyError) return `-${reply.message}\r\n`;
  if (reply === null) return "$-1\r\n";
  if (typeof reply === "number") return `:${reply}\r\n`;
  if (typeof reply === "string") return `$${Buffer.byteLength(reply)}\r\n${reply}\r\n`;
  return `*${reply.length}\r\n${reply.map(encode).join("")}`;
}

const reply: fc.Arbitrary<Reply> = fc.letrec<{ reply: Reply }>((tie) => ({
  reply: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.string({ unit: "binary" }),
    fc.constantFrom("", "\r\n", "a\r\nb", "ünïcødé ✓", "-ERR not an error"),
    fc.array(tie("reply"), { maxLength: 6 }),
  ),
})).reply;

describe("ReplyReader", () => {
  it("reads every reply, in order, whatever chunks the bytes arrive in", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            reply,
            fc.string({ minLength: 1 }).map((m) => new RedisReplyError(m.replace(/[\r\n]/g, " "))),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        fc.array(fc.nat(), { maxLength: 12 }),
        (replies, cuts) => {
          const bytes = Buffer.from(replies.map(encode).join(""));
          const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const reader = new ReplyReader();
          const out: Array<Reply | RedisReplyError> = [];
          let from = 0;
          for (const to of [...at, bytes.length]) {
            out.push(...reader.push(bytes.subarray(from, to)));
            from = to;
          }
          expect(out.map((r) => (r instanceof RedisReplyError ? { error: r.message } : r))).toEqual(
            replies.map((r) => (r instanceof RedisReplyError ? { error: r.message } : r)),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it("reads a simple string, and an error inside an array as an error (as ioredis does)", () => {
    const reader = new ReplyReader();
    expect(reader.push(Buffer.from("+OK\r\n*2\r\n:1\r\n-ERR inside\r\n"))).toEqual(["OK", [1, new RedisReplyError("ERR inside")]]);
  });

  it("refuses a byte that starts no RESP2 reply", () => {
    expect(() => new ReplyReader().push(Buffer.from("%1\r\n"))).toThrow("unexpected RESP type byte 0x25");
  });
});

describe("encodeCommand", () => {
  it("writes an array of bulk strings, lengths in bytes", () => {
    expect(encodeCommand(["EVALSHA", "ab", 2, "ü"]).toString("utf8")).toBe("*4\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n2\r\n$2\r\nü\r\n");
  });

  it("writes the words of several lists as one command, numbers as String() prints them", () => {
    // The reference: each word as text, joined as RESP2 spells an array of bulk strings.
    const reference = (words: Array<string | number>): string =>
      `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(String(w))}\r\n${String(w)}\r\n`).join("")}`;
    const word = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.integer({ min: 0, max: 2 ** 53 - 1 }),
      fc.integer({ min: -(2 ** 53) + 1, max: -1 }),
      fc.double(),
      fc.constantFrom(0, -0, 9, 10, 99, 100, 1e21, 2 ** 53, Number.MAX_SAFE_INTEGER),
    );
    fc.assert(
      fc.property(fc.array(fc.array(word, { maxLength: 12 }), { maxLength: 4 }), (parts) => {
        expect(encodeCommand(...parts).toString("utf8")).toBe(reference(parts.flat()));
      }),
      { numRuns: 500 },
    );
  });
});
