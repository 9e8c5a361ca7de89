/** @module checks/suggest — "did you mean" for misspelt names. */

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest candidate within a third of its length (at least 2 edits), or undefined. */
export function suggestName(name: string, candidates: readonly string[]): string | undefined {
  if (candidates.length > 2000) return undefined; // keep huge configs linear
  let best: { candidate: string; score: number } | undefined;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const score = distance(lower, candidate.toLowerCase());
    if (!best || score < best.score) best = { candidate, score };
  }
  if (!best) return undefined;
  return best.score <= Math.max(2, Math.floor(best.candidate.length / 3)) ? best.candidate : undefined;
}
