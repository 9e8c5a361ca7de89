/** @module stderrOf(): what a router running in the test's own process wrote to stderr (its one-line logs) while a test step ran. */

/** What was written to process.stderr while `run` ran, its writes held back from the terminal; stderr is restored after. */
export async function stderrOf<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await run(), lines };
  } finally {
    process.stderr.write = original;
  }
}
