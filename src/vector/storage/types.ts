/**
 * Shapes exchanged between the vector engine and its durable log. Plain typed arrays and
 * strings only: nothing here knows SQLite.
 */

/** How hard a commit waits for the disk before `append*` returns. */
export interface StorageOptions {
  /**
   * `'normal'` (default): an acknowledged write survives a crash of the process (`kill -9`,
   * an exception, OOM) because SQLite has handed it to the operating system before returning;
   * a power loss or kernel panic may lose the last commits (never a partial one: the log stays
   * consistent). `'full'`: every commit also waits for fsync of the write-ahead log, so it
   * survives power loss too, at roughly 1.5-3x the commit latency (see bench/storage-write.ts).
   */
  synchronous?: 'normal' | 'full';
}

/**
 * One batch of records of one namespace, stored as one row ("segment").
 * Record `i` is `ids[i]`, `seqs[i]`, `vectors[i * dimension .. (i + 1) * dimension)` and
 * `metadataJson[i]` (a JSON object text, or `undefined` for no metadata; never `''`).
 */
export interface SegmentBatch {
  ids: string[];
  seqs: Float64Array;
  /** n × dimension, row-major. */
  vectors: Float32Array;
  metadataJson: (string | undefined)[];
}

/**
 * One committed write, as `Storage.replay` hands it back in commit order.
 * Replay yields `upsert` and `delete` only: `deleteNamespace` removes the namespace's rows
 * themselves, so nothing of it remains to replay; the variant lets the engine apply every
 * kind of write to memory through one function.
 */
export type LogEntry =
  | { kind: 'upsert'; namespace: string; batch: SegmentBatch }
  | { kind: 'delete'; namespace: string; ids: string[] }
  | { kind: 'deleteNamespace'; namespace: string };
