import { HnswGraph, type GraphConfig } from './usearch.js';

/** Searches with a non-default ef keep this many extra views of the file open (each ~a key table in RAM). */
const MAX_EXTRA_VIEWS = 4;

/**
 * Read-only memory-mapped views of one snapshot file, one per search breadth (`ef`), because
 * usearch fixes `expansion_search` when an index is constructed. Views of one file share its
 * pages in the OS cache, so an extra `ef` costs a key table and ~10 ms to open at 100K, once.
 */
export class GraphViews {
  private readonly primary: HnswGraph;
  private readonly extra = new Map<number, HnswGraph>();

  /** @throws FV_ERR_STORAGE_CORRUPT when usearch cannot parse the file. */
  constructor(readonly path: string, private readonly config: GraphConfig) {
    this.primary = HnswGraph.view(path, config, config.hnsw.efSearch);
  }

  get size(): number {
    return this.primary.size;
  }

  /** The view searching with `ef`; opened on first use, the least recently opened dropped beyond the cap. */
  withEf(ef: number): HnswGraph {
    if (ef === this.config.hnsw.efSearch) return this.primary;
    let view = this.extra.get(ef);
    if (view === undefined) {
      if (this.extra.size >= MAX_EXTRA_VIEWS) this.evictOldest();
      view = HnswGraph.view(this.path, this.config, ef);
      this.extra.set(ef, view);
    }
    return view;
  }

  /** Unmaps every view now rather than at garbage collection. */
  release(): void {
    this.primary.release();
    for (const view of this.extra.values()) view.release();
    this.extra.clear();
  }

  private evictOldest(): void {
    const [oldestEf, oldest] = this.extra.entries().next().value as [number, HnswGraph];
    oldest.release();
    this.extra.delete(oldestEf);
  }
}
