/** Levenshtein distance, for "did you mean" suggestions on unknown names. */
function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  const current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    for (let j = 0; j <= b.length; j++) previous[j] = current[j];
  }
  return previous[b.length];
}

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9.]/g, '');

/**
 * The candidates closest to `query`, best first: substring matches (the shortest, fewest extra
 * characters, first), then small edit distances.
 */
export function nearestNames(query: string, candidates: readonly string[], limit = 3): string[] {
  const q = normalize(query);
  const scored = candidates.map((name) => {
    const n = normalize(name);
    const contains = n.includes(q) || q.includes(n);
    return { name, score: contains ? 0 : editDistance(q, n) / Math.max(q.length, n.length, 1) };
  });
  return scored
    .filter((entry) => entry.score <= 0.5)
    .sort((x, y) => x.score - y.score || x.name.length - y.name.length || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((entry) => entry.name);
}

export function didYouMean(query: string, candidates: readonly string[]): string {
  const near = nearestNames(query, candidates);
  return near.length > 0 ? ` Did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : '';
}
