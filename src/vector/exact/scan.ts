/**
 * Exact k-nearest-neighbour search over a VectorSlab: the WebAssembly kernel scores a block
 * of rows into scratch memory, then a bounded heap in JS keeps the k best. The heap stays in
 * JS because it is nearly free: nearly every key fails one comparison with the heap's worst
 * (measured at 100K × 128: 1.8 ms with selection, 1.7 ms for the kernel alone, within noise),
 * and ties call the caller's tie-break, which a heap inside WebAssembly could not do cheaply.
 */
import { at } from '../../util/checked.js';
import type { Metric } from '../types.js';
import type { BlockScorer } from './block-scorer.js';
import { SCAN_BLOCK_ROWS, type VectorSlab } from './slab.js';
import { TopKSelector, type TieBreak } from './top-k.js';

export type { TieBreak } from './top-k.js';

export interface ExactSearchOptions {
  /** Scan only these slots (the filtered path); distinct slots below `slab.highWater`. Free ones are skipped. */
  candidates?: Uint32Array;
  /** Orders slots of equal score (e.g. by record id, for deterministic results); default: lower slot first. */
  tieBreak?: TieBreak;
}

export interface ExactSearchResult {
  /** Best first. */
  slots: Uint32Array;
  /** Parallel to `slots`: euclidean distance (lower is closer), or cosine similarity / dot product (higher is closer). */
  scores: Float32Array;
}

// One selector for every in-thread search: those are synchronous, so they never interleave.
const selector = new TopKSelector();

/**
 * The k live slots closest to `query` under `metric`, best first, ties ordered by `tieBreak`,
 * scanned on this thread. Fewer than k when fewer live slots (or candidates) exist. Scores are
 * float32: euclidean is √Σ(q−x)², cosine is q·x / (‖q‖‖x‖) (0 against a zero vector),
 * dotproduct is q·x.
 *
 * The caller has validated the query's dimension and finiteness and k ≥ 1; a score that is NaN
 * (float32 overflow of huge values) never ranks.
 *
 * @example
 * // slab rows: 0 → [0, 0, 1], 1 → [3, 4, 0]
 * searchExact(slab, new Float32Array([0, 0, 0]), 2, 'euclidean');
 * // → { slots: Uint32Array [0, 1], scores: Float32Array [1, 5] }
 * @throws FV_ERR_INTERNAL when a candidate slot is not below `slab.highWater`.
 */
export function searchExact(
  slab: VectorSlab,
  query: Float32Array,
  k: number,
  metric: Metric,
  options: ExactSearchOptions = {},
): ExactSearchResult {
  const { candidates, tieBreak } = options;
  const total = candidates ? candidates.length : slab.highWater;
  if (k < 1 || total === 0 || slab.liveCount === 0) return { slots: new Uint32Array(0), scores: new Float32Array(0) };
  if (candidates) slab.checkCandidates(candidates);
  selector.reset(k, tieBreak);
  offerNearest(slab.scorerFor(query, metric), 0, total, candidates, selector);
  const { slots, keys } = selector.drain();
  return { slots, scores: scoresOf(keys, metric) };
}

/**
 * Scores rows `first .. first + count - 1` (or the candidates at those positions of the list)
 * with a prepared scorer and offers every live one whose key can still rank to `selector`.
 *
 * Returns the lowest threshold at which the selector, full, let an entry go (Infinity when it
 * never did). A scan thread ranks equal keys by slot, not by the caller's tie-break: when that
 * value equals the selector's final worst key, an entry tied with the k-th was let go, and the
 * thread must report every entry of that key (see the scan worker).
 */
export function offerNearest(scorer: BlockScorer, first: number, count: number, candidates: Uint32Array | undefined, into: TopKSelector): number {
  const live = scorer.live;
  let threshold = into.worstKey;
  let letGo = Infinity;
  const end = first + count;
  for (let start = first; start < end; start += SCAN_BLOCK_ROWS) {
    const blockRows = Math.min(SCAN_BLOCK_ROWS, end - start);
    const keys = candidates ? scorer.scoreSlots(candidates, start, blockRows) : scorer.scoreRange(start, blockRows);
    for (let i = 0; i < blockRows; i++) {
      const key = keys[i];
      // Written so that NaN fails too (undefined cannot happen: blockRows ≤ SCAN_BLOCK_ROWS, the block's length).
      if (!(key !== undefined && key <= threshold)) continue;
      // Reached by few keys (most fail the threshold), so the checked read costs nothing measurable.
      const slot = candidates ? at(candidates, start + i) : start + i;
      if (live[slot] === 0) continue;
      // A full selector drops one entry of key `threshold` (the offered one or its worst).
      if (threshold !== Infinity) letGo = threshold;
      threshold = into.offer(key, slot);
    }
  }
  return letGo;
}

/** Ranking keys (lower is closer) as the scores users see: similarities come out negated. */
export function scoresOf(keys: ArrayLike<number>, metric: Metric): Float32Array {
  const scores = new Float32Array(keys.length);
  const sign = metric === 'euclidean' ? 1 : -1;
  for (let i = 0; i < keys.length; i++) scores[i] = sign * (keys[i] as number);
  return scores;
}

/** Every live slot among rows `first .. first + count - 1` (or those candidates) whose key is exactly `key`. */
export function slotsWithKey(scorer: BlockScorer, first: number, count: number, candidates: Uint32Array | undefined, key: number): Uint32Array {
  const live = scorer.live;
  const found: number[] = [];
  const end = first + count;
  for (let start = first; start < end; start += SCAN_BLOCK_ROWS) {
    const blockRows = Math.min(SCAN_BLOCK_ROWS, end - start);
    const keys = candidates ? scorer.scoreSlots(candidates, start, blockRows) : scorer.scoreRange(start, blockRows);
    for (let i = 0; i < blockRows; i++) {
      if (keys[i] !== key) continue;
      const slot = candidates ? at(candidates, start + i) : start + i;
      if (live[slot] === 1) found.push(slot);
    }
  }
  return Uint32Array.from(found);
}
