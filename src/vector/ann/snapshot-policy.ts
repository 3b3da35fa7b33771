/**
 * When the builder saves a snapshot (which is what makes built vectors searchable).
 *
 * Until a snapshot lands, the caller scans the not-yet-searchable tail exactly: ~0.3 ms per 10K
 * × 128-d. Saving rewrites the whole graph (~20 ms per 100K × 128-d f32 here, plus a SHA-256 pass),
 * so a fixed small step would spend more time saving than building on a large graph. Tying the
 * step to the graph's size keeps saving a constant small share of build time (5 % of the graph
 * takes ~30× longer to build than the graph takes to save), while the 2,000 floor keeps small
 * graphs from being saved after every chunk. When writes pause, the idle snapshot makes the
 * tail empty within a second.
 */
export const SNAPSHOT_POLICY = Object.freeze({
  /** Never snapshot for fewer new vectors than this while more are arriving. */
  minNewVectors: 2_000,
  /** ... nor for fewer than this share of the graph. */
  graphShare: 0.05,
  /** Snapshot anything unsaved once no vector has been added for this long. */
  idleMs: 1_000,
});

/** True when `unsaved` built vectors are worth rewriting a graph of `graphSize` vectors for. */
export function snapshotDue(unsaved: number, graphSize: number): boolean {
  return unsaved >= Math.max(SNAPSHOT_POLICY.minNewVectors, SNAPSHOT_POLICY.graphShare * graphSize);
}
