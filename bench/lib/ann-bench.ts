/**
 * Shared pieces of the approximate-search benches (bench/vector.ts, bench/ann-sweep.ts): recall
 * against exact ground truth, the graph file the engine searches, and query passes interleaved
 * between contenders so that load from other processes falls on all of them alike.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type LatencySummary } from './report.js';

/** Share of the true neighbours found: |found ∩ truth| / |truth| over all queries. */
export function recall<K>(found: readonly (readonly K[])[], truth: readonly (readonly K[])[]): number {
  let hit = 0;
  let total = 0;
  truth.forEach((ids, q) => {
    const expected = new Set(ids);
    for (const id of found[q] ?? []) if (expected.has(id)) hit++;
    total += expected.size;
  });
  return hit / total;
}

/** The graph file the engine is searching now (its manifest names it). */
export function engineGraphFile(dataDir: string, index: string): string {
  const indexDir = join(dataDir, 'ann', index);
  const [namespaceDir] = readdirSync(indexDir);
  const manifest = JSON.parse(readFileSync(join(indexDir, namespaceDir as string, 'ann-manifest.json'), 'utf8')) as { graphFile: string };
  return join(indexDir, namespaceDir as string, manifest.graphFile);
}

/** One side of a latency comparison: a single query, synchronous or not. */
export interface Contender<R> {
  readonly name: string;
  readonly search: (query: Float32Array, i: number) => R | Promise<R>;
}

export interface ContenderRun<R> {
  /** Each query's result from the contender's last timed pass. */
  readonly found: R[];
  readonly time: LatencySummary;
}

/**
 * Times every contender on every query, in whole passes ordered forwards then backwards
 * (A B C C B A): load from other processes drifts alike on all, and no search runs right after
 * the same query's, whose graph nodes a 1M graph would still hold in the CPU caches (timing them
 * query by query flattered whichever ran second). Each contender first answers `warmup` queries
 * untimed: with a memory-mapped graph a whole pass (`queries.length`) maps its pages in, which a
 * long-lived server has done long ago.
 */
export async function interleavedPasses<R>(contenders: readonly Contender<R>[], queries: readonly Float32Array[], warmup: number): Promise<ContenderRun<R>[]> {
  for (const c of contenders) {
    for (const [i, q] of queries.slice(0, warmup).entries()) await c.search(q, i);
  }
  const found = contenders.map(() => [] as R[]);
  const samples = contenders.map(() => [] as number[]);
  const order = [...contenders.keys(), ...[...contenders.keys()].reverse()];
  for (const c of order) {
    const contender = contenders[c] as Contender<R>;
    const out = found[c] as R[];
    const times = samples[c] as number[];
    for (const [i, q] of queries.entries()) {
      const start = performance.now();
      const result = contender.search(q, i);
      // Awaited only when asynchronous: a native call's timing gets no extra microtask turn.
      out[i] = result instanceof Promise ? await result : result;
      times.push(performance.now() - start);
    }
  }
  return contenders.map((_, c) => ({ found: found[c] as R[], time: summarize(samples[c] as number[]) }));
}
