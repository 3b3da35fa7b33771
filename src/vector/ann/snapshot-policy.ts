/**
 * When the builder saves a snapshot (which is what makes built vectors searchable).
 *
 * Until a snapshot lands, the caller scans the not-yet-searchable tail exactly: ~0.3 ms per 10K
 * × 128-d. A snapshot rewrites the whole graph: 0.2-0.5 s for 100K × 128-d here (usearch save,
 * SHA-256, fsync), ten times that at 1M. A fixed step would spend ever more time saving as the
 * graph grows; a step of 5 % of the graph costs about the same share of build time at any size
 * (building 5,000 vectors into a 100K graph takes seconds), while the 2,000 floor keeps small graphs
 * from being saved after every chunk. When writes pause, the idle snapshot empties the tail within
 * a second. The price: during a long ingest into a 1M graph, built but unsaved vectors may reach
 * 50K (~1.3 ms more to scan).
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
