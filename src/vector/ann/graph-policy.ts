/**
 * Which namespaces get an HNSW graph, and how long an unused graph stays open: memory and threads
 * follow the data and the queries, not the number of namespaces.
 */

/**
 * Below this many records a namespace gets no graph: an approximate query scans it exactly, which
 * is at least as fast there, exact, and costs no graph. Measured with `npx tsx bench/graph-threshold.ts`
 * (2 cores, face-like cosine vectors, top-10, the default m 16, efConstruction 128, efSearch 64,
 * f32; graph latency over exact-scan latency, interleaved passes):
 *
 *   records          2,048   3,072   4,096   5,120   6,144   8,192
 *   128-d            2.20×   1.43×   1.36×   1.07×   0.92×   0.86×   (bench/results/graph-threshold.json)
 *   512-d            1.75×   1.43×   0.95×   1.47×   0.92×   0.67×
 *   128-d, run 1     2.32×     —     1.26×     —       —     0.65×   (graph-threshold-run1.json)
 *   512-d, run 1     1.65×     —     0.98×     —       —     0.72×
 *
 * The scan wins everywhere below 4,096 records; from 4K to 6K the two are within noise of each
 * other, and the graph wins from ~6K at both dimensions. The threshold takes the low end of the
 * tie so that a growing namespace's graph is built by the time it pays (until then its unbuilt
 * tail is scanned exactly anyway). The graph also lost recall below 6K (0.82-0.94 at 2-6K
 * records) that the scan does not.
 */
export const GRAPH_MIN_RECORDS = 4_096;

/**
 * A graph neither queried nor written for this long is closed: its memory maps and key tables go,
 * and the next approximate query reopens it from its snapshot (SHA-256 check included: ~35 ms at
 * 100K × 128-d, ~0.4 s at 1M). Writes and queries in between keep it open.
 */
export const GRAPH_IDLE_MS = 5 * 60_000;

/** True when a namespace of `recordCount` records is worth a graph. */
export function deservesGraph(recordCount: number): boolean {
  return recordCount >= GRAPH_MIN_RECORDS;
}
