/**
 * Exact scans of large namespaces run on the scan threads while the main thread goes on: writes
 * that arrive meanwhile wait for the scan (the namespace's gate), so an answer is the namespace
 * as it was when the query began, never a mix, and nothing a query returns points at a slot a
 * later write reused.
 */
import { describe, expect, it, vi } from 'vitest';

// Read when the scan pool's module loads: scans of this file's 5 MB namespaces go to the threads
// (the default threshold, 16 MiB, is where threads start to pay on 2 cores).
vi.hoisted(() => {
  process.env.FACEVAULT_PARALLEL_SCAN_MIN_BYTES = String(1024 * 1024);
});
import { ScanPool } from '../../src/vector/exact/scan-pool.js';
import { SCAN_THREADS } from '../../src/vector/exact/slab-layout.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { useTempDatabase } from '../helpers/temp-database.js';
import { at } from '../helpers/checked.js';

const DIMENSION = 64;
// 20,000 × 64 floats = 5 MB of rows: above the size from which this file's scans go to the threads.
const RECORDS = 20_000;

describe('exact scans on the scan threads, through the database', () => {
  const temp = useTempDatabase();

  async function bigIndex() {
    await temp.db.createIndex({ name: 'big', dimension: DIMENSION, metric: 'cosine' });
    const index = temp.db.index<{ version: number }>('big');
    const next = seededRandom(3);
    for (let start = 0; start < RECORDS; start += 1_000) {
      const records = Array.from({ length: 1_000 }, (_, i) => ({
        id: `r${start + i}`,
        values: Array.from({ length: DIMENSION }, () => next() * 2 - 1),
        metadata: { version: 1 },
      }));
      await index.upsert({ records });
    }
    return index;
  }

  it('answers from the namespace as it was when the query began, while an overwrite and a delete wait', async () => {
    const index = await bigIndex();
    const vector = Array.from({ length: DIMENSION }, (_, j) => Math.cos(j));
    const before = await index.query({ vector, topK: 5, exact: true, includeMetadata: true });
    expect(ScanPool.shared().threadCount).toBe(SCAN_THREADS);
    const [best, second] = [at(before.matches, 0), at(before.matches, 1)];

    // Issued in the same turn: the query's scan is on the threads when the writes arrive.
    const during = index.query({ vector, topK: 5, exact: true, includeMetadata: true });
    const overwrite = index.upsert({ records: [{ id: best.id, values: vector.map((x) => -x), metadata: { version: 2 } }] });
    const deletion = index.deleteOne(second.id);
    const after = index.query({ vector, topK: 5, exact: true, includeMetadata: true });

    expect(await during).toEqual(before);
    await Promise.all([overwrite, deletion]);
    const ids = (await after).matches.map((m) => m.id);
    expect(ids).not.toContain(best.id);
    expect(ids).not.toContain(second.id);
    expect((await index.fetch({ ids: [best.id] })).records[best.id]?.metadata).toEqual({ version: 2 });
  });

  it('keeps every answer consistent under a stream of queries, overwrites, deletes and re-inserts', async () => {
    const index = await bigIndex();
    const next = seededRandom(4);
    const randomVector = () => Array.from({ length: DIMENSION }, () => next() * 2 - 1);
    const deleted = new Set<string>();
    const operations: Promise<unknown>[] = [];
    const answers: Promise<{ matches: { id: string; score: number; values?: number[] }[] }>[] = [];
    for (let i = 0; i < 200; i++) {
      const id = `r${Math.floor(next() * RECORDS)}`;
      const roll = next();
      if (roll < 0.5) answers.push(index.query({ vector: randomVector(), topK: 10, exact: true, includeValues: true }));
      else if (roll < 0.75) operations.push(index.upsert({ records: [{ id, values: randomVector(), metadata: { version: i } }] }).then(() => deleted.delete(id)));
      else operations.push(index.deleteOne(id).then(() => deleted.add(id)));
    }
    await Promise.all(operations);
    for (const { matches } of await Promise.all(answers)) {
      expect(matches).toHaveLength(10);
      // A returned record carries the values it was scored by: a slot read after a later write would not.
      for (const match of matches) expect(match.values).toHaveLength(DIMENSION);
      const scores = matches.map((m) => m.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    const stats = await index.describeIndexStats();
    expect(stats.totalRecordCount).toBe(RECORDS - deleted.size);
  });

  it('deletes a namespace that a query is scanning only after the scan, and lets the threads go', async () => {
    const index = await bigIndex();
    const vector = Array.from({ length: DIMENSION }, (_, j) => Math.sin(j));
    const during = index.query({ vector, topK: 3, exact: true });
    const deletion = index.deleteAll();
    expect((await during).matches).toHaveLength(3);
    await deletion;
    expect((await index.query({ vector, topK: 3, exact: true })).matches).toEqual([]);
    await expect(index.describeIndexStats()).resolves.toMatchObject({ totalRecordCount: 0 });
  });
});
