/**
 * Engine versions as the database names them (`0.24.0`, `1.3.0rc20`, `0.1.dev19262`, `v0.5.14`), placed on
 * one number line so "the nearest measured version" has a meaning: release parts weigh 1e6, 1e3 and 1, and
 * a pre-release (rc, dev, a, b) sits just below its release, ordered by its number.
 */
export function versionPosition(version: string): number {
  const text = version.trim().replace(/^v/i, '');
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[.-]?([a-z]+)\.?(\d*))?/i.exec(text);
  if (!match) return Number.NaN;
  const [major, minor, patch] = [match[1], match[2], match[3]].map((part) => Number(part ?? 0));
  const release = major * 1e6 + Math.min(minor, 999) * 1e3 + Math.min(patch, 999);
  if (match[4] === undefined) return release;
  const preNumber = Number(match[5] || 0);
  // Within (-1, 0): below the release, above the previous patch, increasing with the pre-release number.
  return release - 1 / (2 + preNumber);
}

/** Newest first; versions that do not parse go last, in name order. */
export function sortVersionsNewestFirst(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => {
    const pa = versionPosition(a);
    const pb = versionPosition(b);
    if (Number.isNaN(pa) || Number.isNaN(pb)) {
      if (Number.isNaN(pa) !== Number.isNaN(pb)) return Number.isNaN(pa) ? 1 : -1;
      return a.localeCompare(b);
    }
    return pb - pa;
  });
}

/**
 * The measured version nearest to `wanted` (the newest when none is wanted, or when `wanted` does not
 * parse); on a tie, the newer. Undefined only when nothing was measured.
 */
export function nearestVersion(available: readonly string[], wanted?: string): string | undefined {
  const newestFirst = sortVersionsNewestFirst(available);
  if (wanted === undefined) return newestFirst[0];
  if (available.includes(wanted)) return wanted;
  const target = versionPosition(wanted);
  if (Number.isNaN(target)) return newestFirst[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const version of newestFirst) {
    const distance = Math.abs(versionPosition(version) - target);
    if (distance < bestDistance) {
      best = version;
      bestDistance = distance;
    }
  }
  return best ?? newestFirst[0];
}
