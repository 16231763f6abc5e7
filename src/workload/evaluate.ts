/** Held-out metrics of a model: how well it ranks churners (AUC), how often it is right, how sure. */
export interface Evaluation {
  auc: number;
  accuracy: number;
  log_loss: number;
  rows: number;
}

export function evaluate(
  probabilities: Float64Array,
  labels: ArrayLike<number>,
  threshold: number,
): Evaluation {
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, probabilities[i]!));
    const y = labels[i]!;
    if ((p >= threshold ? 1 : 0) === y) correct++;
    loss -= y === 1 ? Math.log(p) : Math.log(1 - p);
  }
  const rows = probabilities.length;
  return {
    auc: round(auc(probabilities, labels)),
    accuracy: round(correct / rows),
    log_loss: round(loss / rows),
    rows,
  };
}

/** Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties sharing their mean rank. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const meanRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        positiveRankSum += meanRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;
