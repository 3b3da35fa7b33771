/**
 * Scores of a two-class classifier against labels: accuracy, balanced accuracy, the confusion
 * matrix, ROC AUC, and the balanced accuracy of a cut point fitted on other data (so that a model
 * whose default cut is off for a set can be told apart from one that cannot separate it).
 */

/** One labelled item: `positive` is the truth; `score` the model's, higher meaning positive. */
export interface ScoredLabel {
  readonly positive: boolean;
  readonly score: number;
  /** Items of one group (one person) are kept on the same side of a fitting split. */
  readonly group: string;
}

export interface ConfusionMatrix {
  /** truth positive, predicted positive */
  readonly tp: number;
  /** truth positive, predicted negative */
  readonly fn: number;
  /** truth negative, predicted positive */
  readonly fp: number;
  /** truth negative, predicted negative */
  readonly tn: number;
}

export interface ClassificationSummary {
  readonly n: number;
  readonly cut: number;
  readonly confusion: ConfusionMatrix;
  readonly accuracy: number;
  /** Mean of the two classes' recalls: what accuracy would be with as many of each. */
  readonly balancedAccuracy: number;
  readonly recallPositive: number;
  readonly recallNegative: number;
}

export function confusionAt(items: readonly ScoredLabel[], cut: number): ConfusionMatrix {
  let tp = 0, fn = 0, fp = 0, tn = 0;
  for (const { positive, score } of items) {
    const predicted = score > cut;
    if (positive && predicted) tp++;
    else if (positive) fn++;
    else if (predicted) fp++;
    else tn++;
  }
  return { tp, fn, fp, tn };
}

export function summarizeAt(items: readonly ScoredLabel[], cut: number): ClassificationSummary {
  const confusion = confusionAt(items, cut);
  const { tp, fn, fp, tn } = confusion;
  const recallPositive = tp / Math.max(1, tp + fn);
  const recallNegative = tn / Math.max(1, tn + fp);
  return { n: items.length, cut, confusion, accuracy: (tp + tn) / Math.max(1, items.length), balancedAccuracy: (recallPositive + recallNegative) / 2, recallPositive, recallNegative };
}

/** Area under the ROC curve: the chance a random positive scores above a random negative (ties count half). */
export function rocAuc(items: readonly ScoredLabel[]): number {
  const sorted = [...items].sort((a, b) => a.score - b.score);
  let rankSumPositive = 0, positives = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]?.score === sorted[i]?.score) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (sorted[k]?.positive) {
        rankSumPositive += meanRank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The cut (midway between two neighbouring scores) that maximises balanced accuracy on `items`. */
export function bestBalancedCut(items: readonly ScoredLabel[]): number {
  const sorted = [...items].sort((a, b) => a.score - b.score);
  const positives = sorted.filter((i) => i.positive).length;
  const negatives = sorted.length - positives;
  // Cut below everything: every item predicted positive.
  let tp = positives, tn = 0;
  let best = { cut: (sorted[0]?.score ?? 0) - 1e-9, value: 0.5 };
  for (let i = 0; i < sorted.length; i++) {
    const item = sorted[i];
    if (item === undefined) break;
    if (item.positive) tp--;
    else tn++;
    const next = sorted[i + 1];
    if (next !== undefined && next.score === item.score) continue;
    const value = (tp / Math.max(1, positives) + tn / Math.max(1, negatives)) / 2;
    if (value > best.value) best = { cut: next === undefined ? item.score : (item.score + next.score) / 2, value };
  }
  return best.cut;
}

/**
 * Two-fold by group: the items are split by group (alternate groups in sorted order), the cut
 * that maximises balanced accuracy on one half scores the other, and the two halves' confusion
 * matrices are summed. An honest figure for "what this model reaches with a cut fitted on this kind of photo".
 */
export function twoFoldFittedCut(items: readonly ScoredLabel[]): { cuts: [number, number]; summary: ClassificationSummary } {
  const groups = [...new Set(items.map((i) => i.group))].sort();
  const half = new Map(groups.map((g, i) => [g, i % 2]));
  const parts = [items.filter((i) => half.get(i.group) === 0), items.filter((i) => half.get(i.group) === 1)] as const;
  const cuts: [number, number] = [bestBalancedCut(parts[1]), bestBalancedCut(parts[0])];
  const a = confusionAt(parts[0], cuts[0]);
  const b = confusionAt(parts[1], cuts[1]);
  const confusion = { tp: a.tp + b.tp, fn: a.fn + b.fn, fp: a.fp + b.fp, tn: a.tn + b.tn };
  const recallPositive = confusion.tp / Math.max(1, confusion.tp + confusion.fn);
  const recallNegative = confusion.tn / Math.max(1, confusion.tn + confusion.fp);
  return {
    cuts,
    summary: { n: items.length, cut: Number.NaN, confusion, accuracy: (confusion.tp + confusion.tn) / Math.max(1, items.length), balancedAccuracy: (recallPositive + recallNegative) / 2, recallPositive, recallNegative },
  };
}
