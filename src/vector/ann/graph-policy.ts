/**
 * Which namespaces get an HNSW graph, and how long an unused graph stays open: memory and threads
 * follow the data and the queries, not the number of namespaces; and the graph settings an index
 * gets when its creator names none.
 */

import type { HnswConfig, Metric } from '../types.js';
import { DEFAULT_HNSW } from '../validate.js';

/**
 * Below this many records a namespace gets no graph: an approximate query scans it exactly, which
 * is at least as fast there, exact, and costs no graph. Measured with `npx tsx bench/graph-threshold.ts`
 * (2 cores, face-like cosine vectors, top-10, the defaults then: m 16, efConstruction 128, efSearch 64,
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

/**
 * The graph settings an index of the embedded engine gets when its creator names none, per metric.
 * Cosine, the metric of face embeddings: i8, m 24, efConstruction 128, efSearch 44.
 * - m 24 from the recall–latency curves of `bench/ann-sweep.ts` (issue 15; 1M face-like 128-d
 *   vectors, 2 shared cores; bench/results/ann-sweep-1m*.json): with i8, m 24 gives recall@10
 *   0.986-0.991 at efSearch 40 for 0.83-0.91× the p50 of m 16 at efSearch 64 (0.972-0.980);
 *   efConstruction 200 lifted m 16 only to 0.985.
 * - efSearch 44 from facevault's own path on its builder's 1M graph (ann-sweep-1m-engine.json):
 *   0.980 at 40 (0.362 ms), 0.991 at 44 (0.392 ms), 0.993 at 48; builds vary (another gave 0.986
 *   at 40), and 44 keeps recall ≥ 0.98 with room at ~8 % more time than 40.
 * - i8 on real embeddings as facevault searches them (`bench/ann-faces.ts`, LFW-a, one-thread
 *   builds): the graph's 32 candidates for a top-10 are re-scored from the exact vectors in the
 *   slab, so i8's coarse distances only have to bring the true neighbours into those 32. At
 *   efSearch 40, recall@10 re-scored: ArcFace 512-d 0.993 with i8 at 0.12 ms against f16's 0.992
 *   at 0.20 ms; dlib 128-d 0.998 with i8, the same as f16 and f32. Raw usearch's own top-10 from
 *   i8 caps at 0.95 (ArcFace) and 0.90 (dlib): i8 is fit only where candidates are re-scored,
 *   as here. Graph bytes: a quarter of f32's; builds 1.5-1.7× faster than f16.
 * A higher `efSearch` buys recall with latency, about in proportion.
 * Euclidean and dot product keep f32 (usearch's i8 normalises vectors, which picks candidates by
 * direction alone there) and m 16, efSearch 64: no sweep has measured them.
 * @example defaultHnsw('cosine') // → { m: 24, efConstruction: 128, efSearch: 44, quantization: 'i8' }
 */
export function defaultHnsw(metric: Metric): HnswConfig {
  return metric === 'cosine' ? { ...COSINE_HNSW } : { ...DEFAULT_HNSW };
}

const COSINE_HNSW: Readonly<HnswConfig> = { m: 24, efConstruction: 128, efSearch: 44, quantization: 'i8' };
