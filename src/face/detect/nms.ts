/** A candidate box in pixels, corners inclusive of x1/y1, with the detector's score. */
export interface ScoredBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly score: number;
}

export function intersectionOverUnion(p: ScoredBox, q: ScoredBox): number {
  const w = Math.min(p.x2, q.x2) - Math.max(p.x1, q.x1);
  const h = Math.min(p.y2, q.y2) - Math.max(p.y1, q.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((p.x2 - p.x1) * (p.y2 - p.y1) + (q.x2 - q.x1) * (q.y2 - q.y1) - inter);
}

/**
 * Greedy non-maximum suppression: keeps the best-scoring box, drops every box overlapping it by
 * more than `iouThreshold`, repeats. Returns the kept boxes, best first.
 *
 * @example nonMaxSuppression([{x1:0,y1:0,x2:10,y2:10,score:.9},{x1:1,y1:0,x2:11,y2:10,score:.8}], 0.3) // → only the 0.9 box
 */
export function nonMaxSuppression(boxes: readonly ScoredBox[], iouThreshold: number): ScoredBox[] {
  const sorted = [...boxes].sort((p, q) => q.score - p.score);
  const kept: ScoredBox[] = [];
  for (const box of sorted) {
    if (kept.every((k) => intersectionOverUnion(k, box) <= iouThreshold)) kept.push(box);
  }
  return kept;
}
