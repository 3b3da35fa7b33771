/** VectorIndex.compact(): what deletes and overwrites left in the files is gone, everything live stays. */
import { describe, expect, it, vi } from 'vitest';
import { GRAPH_MIN_RECORDS } from '../../src/vector/ann/graph-policy.js';
import { useTempDatabase } from '../helpers/temp-database.js';
import { ManifestFile } from '../../src/vector/storage/manifest.js';
import { NamespaceState } from '../../src/vector/namespace.js';
import { filesHolding } from '../stores/files-holding.js';
import { at } from '../helpers/checked.js';

const DIMENSION = 8;
const HNSW = { m: 8, efConstruction: 32, efSearch: 32, quantization: 'f32' as const };

/** A vector whose float32 bytes appear nowhere by chance: the needle searched for in the raw files. */
function distinctive(seed: number): Float32Array {
  return Float32Array.from({ length: DIMENSION }, (_, d) => 1234.5678 + seed * 101.25 + d * 7.0625);
}

function bytesOf(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

function ordinary(i: number): number[] {
  return Array.from({ length: DIMENSION }, (_, d) => Math.sin(i * 1.3 + d) + (i % 5));
}

describe('compact', () => {
  const temp = useTempDatabase();

  it('removes erased and overwritten vectors from the log and the graph files, while open, and keeps the rest', async () => {
    await temp.db.createIndex({ name: 'g', dimension: DIMENSION, metric: 'euclidean', engine: 'approximate', hnsw: HNSW });
    const index = temp.db.index('g').namespace('people');
    // Enough records for the namespace to have a graph at all.
    const records = Array.from({ length: GRAPH_MIN_RECORDS }, (_, i) => ({ id: `r${i}`, values: ordinary(i), metadata: { subject: `s${i % 30}` } }));
    await index.upsert({ records: records.slice(0, 150) });
    await index.upsert({ records: [{ id: 'erased', values: distinctive(1), metadata: { subject: 'eve' } }, { id: 'changed', values: distinctive(2) }] });
    for (let first = 150; first < records.length; first += 1_000) await index.upsert({ records: records.slice(first, first + 1_000) });
    await index.upsert({ records: [{ id: 'changed', values: ordinary(999) }] });
    await index.flush();
    await index.deleteOne({ id: 'erased' });
    // The premise: a delete hides the record but its bytes stay in the log and in the graph snapshot.
    expect(filesHolding(temp.dir, bytesOf(distinctive(1))).length).toBeGreaterThanOrEqual(2);
    expect(filesHolding(temp.dir, bytesOf(distinctive(2)))).not.toEqual([]);

    expect(await index.compact()).toEqual({ namespace: 'people', recordCount: records.length + 1, reclaimedVersions: 2 });
    expect(filesHolding(temp.dir, bytesOf(distinctive(1)))).toEqual([]);
    expect(filesHolding(temp.dir, bytesOf(distinctive(2)))).toEqual([]);
    expect(filesHolding(temp.dir, '"subject":"eve"')).toEqual([]);

    // The graph is rebuilt from the live records under their keys: approximate answers are right.
    await index.flush();
    for (const i of [0, 77, 150, 299]) {
      const { matches } = await index.query({ vector: at(records, i).values, topK: 1, exact: false, includeMetadata: true });
      expect(matches[0]).toMatchObject({ id: `r${i}`, metadata: { subject: `s${i % 30}` } });
    }
    expect((await index.query({ vector: ordinary(999), topK: 1, exact: false })).matches[0]?.id).toBe('changed');
    expect(filesHolding(temp.dir, bytesOf(distinctive(1)))).toEqual([]);

    await temp.db.close();
    await temp.reopen();
    const reopened = temp.db.index('g').namespace('people');
    expect((await reopened.describeIndexStats()).namespaces.people).toEqual({ recordCount: records.length + 1 });
    expect((await reopened.fetch({ ids: ['r42', 'erased', 'changed'] })).records).toEqual({
      r42: { id: 'r42', values: Array.from(Float32Array.from(ordinary(42))), metadata: { subject: 's12' } },
      changed: { id: 'changed', values: Array.from(Float32Array.from(ordinary(999))) },
    });
  });

  it('keeps writes made while it runs, keeps sequence numbers rising, and leaves other namespaces alone', async () => {
    await temp.db.createIndex({ name: 'e', dimension: DIMENSION, metric: 'euclidean' });
    const index = temp.db.index('e');
    await index.upsert({ records: [{ id: 'a', values: ordinary(1) }, { id: 'b', values: distinctive(3) }] });
    await index.upsert({ namespace: 'other', records: [{ id: 'b', values: distinctive(4) }] });
    await index.deleteOne({ id: 'b' });
    const compacting = index.compact();
    await index.upsert({ records: [{ id: 'c', values: ordinary(3) }] });
    expect(await compacting).toMatchObject({ recordCount: 2, reclaimedVersions: 1 });
    await index.upsert({ records: [{ id: 'a', values: ordinary(4) }] });
    expect(filesHolding(temp.dir, bytesOf(distinctive(3)))).toEqual([]);
    expect(filesHolding(temp.dir, bytesOf(distinctive(4)))).not.toEqual([]);

    await temp.db.close();
    await temp.reopen();
    const { records } = await temp.db.index('e').fetch({ ids: ['a', 'b', 'c'] });
    expect(Object.keys(records).sort()).toEqual(['a', 'c']);
    expect(records.a?.values).toEqual(Array.from(Float32Array.from(ordinary(4))));
    expect(Object.keys((await temp.db.index('e').namespace('other').fetch({ ids: ['b'] })).records)).toEqual(['b']);
  });

  it('empties a namespace whose records are all deleted, and is a no-op on an unknown one', async () => {
    await temp.db.createIndex({ name: 'n', dimension: DIMENSION, metric: 'euclidean' });
    const index = temp.db.index('n');
    await index.upsert({ records: [{ id: 'x', values: distinctive(5) }] });
    await index.deleteOne({ id: 'x' });
    expect(await index.compact()).toEqual({ namespace: '', recordCount: 0, reclaimedVersions: 1 });
    expect(await index.namespace('nobody').compact()).toEqual({ namespace: 'nobody', recordCount: 0, reclaimedVersions: 0 });
    expect(filesHolding(temp.dir, bytesOf(distinctive(5)))).toEqual([]);
    expect((await index.listNamespaces()).namespaces).toEqual([]);
  });

  it('compacts by itself in steps that let other work run between them, losing nothing written meanwhile', async () => {
    await temp.db.createIndex({ name: 'auto', dimension: DIMENSION, metric: 'euclidean' });
    const index = temp.db.index('auto');
    const batchOf = (first: number, round: number) => Array.from({ length: 1_000 }, (_, i) => ({ id: `r${first + i}`, values: ordinary(first + i + round) }));
    for (let first = 0; first < 12_000; first += 1_000) await index.upsert({ records: batchOf(first, 0) });
    // Overwriting all 12,000 leaves as many dead versions as live records: the last batch starts a compaction.
    for (let first = 0; first < 12_000; first += 1_000) await index.upsert({ records: batchOf(first, 1) });
    const segmentCounts: number[] = [];
    const segments = () => ManifestFile.read(temp.dir)?.indexes.auto?.segments ?? -1;
    for (let turn = 0; turn < 100; turn++) {
      segmentCounts.push(segments());
      // Writes between steps: a new record, a delete, an overwrite of a record the compaction has not reached yet.
      if (turn === 1) {
        await index.upsert({ records: [{ id: 'new', values: ordinary(-1) }, { id: 'r11999', values: ordinary(-2) }] });
        await index.deleteOne('r5');
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    // 24 upsert segments when the triggering write returned, then fewer at several turns: the
    // rewrite went step by step; at the end 12 segments of live records and the 2 written meanwhile.
    expect(segmentCounts[0]).toBe(24);
    expect(new Set(segmentCounts).size).toBeGreaterThan(3);
    expect(segmentCounts.at(-1)).toBeLessThanOrEqual(14);

    await temp.db.close();
    await temp.reopen();
    const reopened = temp.db.index('auto');
    expect((await reopened.describeIndexStats()).totalRecordCount).toBe(12_000);
    const { records } = await reopened.fetch({ ids: ['r0', 'r5', 'r11999', 'new'] });
    expect(Object.keys(records).sort()).toEqual(['new', 'r0', 'r11999']);
    expect(records.r0?.values).toEqual(Array.from(Float32Array.from(ordinary(1))));
    expect(records.r11999?.values).toEqual(Array.from(Float32Array.from(ordinary(-2))));
  });

  it('rebuilds the graph of an approximate namespace after compacting it by itself: the graph does not grow with overwrites', async () => {
    await temp.db.createIndex({ name: 'ann', dimension: DIMENSION, metric: 'euclidean', engine: 'approximate', hnsw: HNSW });
    const index = temp.db.index('ann');
    const count = GRAPH_MIN_RECORDS;
    const drops = vi.spyOn(NamespaceState.prototype, 'drop');
    // Four versions of every record: the dead ones outnumber the live and pass 10,000, which starts a compaction.
    for (const round of [0, 1, 2, 3]) {
      for (let first = 0; first < count; first += 1_000) {
        await index.upsert({ records: Array.from({ length: Math.min(1_000, count - first) }, (_, i) => ({ id: `r${first + i}`, values: ordinary(first + i + round * 7) })) });
      }
    }
    await vi.waitFor(() => expect(drops).toHaveBeenCalledTimes(1), { timeout: 30_000 });
    await index.flush();
    for (const i of [0, 1234, count - 1]) {
      const { matches } = await index.query({ vector: ordinary(i + 21), topK: 1, exact: false });
      expect(matches[0]?.id).toBe(`r${i}`);
    }
  });
});
