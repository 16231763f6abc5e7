/**
 * Population Stability Index: how far a feature's distribution in recent data has moved from
 * training, over 10 bins cut at the training data's deciles. Rules of thumb: < 0.1 stable,
 * 0.1-0.2 moderate, > 0.2 a shift worth acting on (the config's default threshold).
 */
const EMPTY_BIN_SHARE = 1e-4;

/** Cut points at the reference's quantiles; repeated values (counts with many ties) merge bins. */
export function quantileEdges(reference: ArrayLike<number>, bins = 10): number[] {
  const sorted = Float64Array.from(reference).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))]!;
    if (edges.at(-1) !== edge) edges.push(edge);
  }
  return edges;
}

/** Share of values per bin: bin i holds values <= edges[i] (and above the previous edge). */
export function binShares(values: ArrayLike<number>, edges: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    let bin = 0;
    while (bin < edges.length && values[i]! > edges[bin]!) bin++;
    counts[bin]!++;
  }
  return counts.map((count) => Math.max(count / Math.max(1, values.length), EMPTY_BIN_SHARE));
}

export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): number {
  const edges = quantileEdges(reference, bins);
  const expected = binShares(reference, edges);
  const actual = binShares(current, edges);
  let total = 0;
  for (let i = 0; i < expected.length; i++)
    total += (actual[i]! - expected[i]!) * Math.log(actual[i]! / expected[i]!);
  return total;
}
