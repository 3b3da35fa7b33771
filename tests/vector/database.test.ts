import { describe, expect, it } from 'vitest';
import { isFacevaultError, type ErrorCode } from '../../src/errors.js';
import { openDatabase } from '../../src/vector/database.js';
import { useTempDatabase } from '../helpers/temp-database.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { at } from '../helpers/checked.js';

async function expectCode(promise: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    if (isFacevaultError(err)) {
      expect(err.code).toBe(code);
      return;
    }
    throw err;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('Database', () => {
  const temp = useTempDatabase();

  it('creates, lists, describes, configures and deletes indexes', async () => {
    const created = await temp.db.createIndex({ name: 'faces', dimension: 3, metric: 'euclidean' });
    expect(created).toMatchObject({ name: 'faces', dimension: 3, metric: 'euclidean', engine: 'exact', deletionProtection: 'disabled', status: { ready: true } });
    await temp.db.createIndex({ name: 'other', dimension: 2 });
    expect((await temp.db.listIndexes()).indexes.map((i) => i.name)).toEqual(['faces', 'other']);
    expect((await temp.db.describeIndex('other')).metric).toBe('cosine');
    await expectCode(temp.db.createIndex({ name: 'faces', dimension: 3 }), 'FV_ERR_INDEX_EXISTS');
    await expect(temp.db.createIndex({ name: 'faces', dimension: 3, suppressConflicts: true })).resolves.toMatchObject({ name: 'faces' });
    await expectCode(temp.db.createIndex({ name: 'Bad_Name', dimension: 3 }), 'FV_ERR_INDEX_NAME');
    await expectCode(temp.db.createIndex({ name: 'x', dimension: 0 }), 'FV_ERR_INDEX_CONFIG');
    await expectCode(temp.db.createIndex({ name: 'x', dimension: 3, metric: 'manhattan' as never }), 'FV_ERR_INDEX_CONFIG');
    await expectCode(temp.db.createIndex({ name: 'x', dimension: 3, metric: 'euclidean', hnsw: { quantization: 'i8' } }), 'FV_ERR_INDEX_CONFIG');
    await expect(temp.db.createIndex({ name: 'q8', dimension: 3, metric: 'cosine', hnsw: { quantization: 'i8' } })).resolves.toMatchObject({ hnsw: { quantization: 'i8' } });

    await temp.db.configureIndex('faces', { deletionProtection: 'enabled' });
    await expectCode(temp.db.deleteIndex('faces'), 'FV_ERR_DELETION_PROTECTED');
    await temp.db.configureIndex('faces', { deletionProtection: 'disabled' });
    await temp.db.deleteIndex('faces');
    await expectCode(temp.db.describeIndex('faces'), 'FV_ERR_INDEX_NOT_FOUND');
    await expectCode(() => temp.db.index('faces'), 'FV_ERR_INDEX_NOT_FOUND');
  });

  it('creates an index once when several calls race for the name (a lazily created gallery index)', async () => {
    const settled = await Promise.allSettled(Array.from({ length: 4 }, () => temp.db.createIndex({ name: 'raced', dimension: 2, engine: 'approximate' })));
    expect(settled.map((s) => (s.status === 'fulfilled' ? 'created' : (s.reason as { code: string }).code))).toEqual(['created', 'FV_ERR_INDEX_EXISTS', 'FV_ERR_INDEX_EXISTS', 'FV_ERR_INDEX_EXISTS']);
    const quiet = await Promise.all(Array.from({ length: 4 }, () => temp.db.createIndex({ name: 'quiet', dimension: 2, suppressConflicts: true })));
    expect(new Set(quiet.map((d) => d.createdAt)).size).toBe(1);
    expect((await temp.db.listIndexes()).indexes.map((d) => d.name)).toEqual(['quiet', 'raced']);
  });

  it("configures tags as Pinecone does: merged, and a key set to '' removed", async () => {
    await temp.db.createIndex({ name: 'tagged', dimension: 2, tags: { team: 'vision', owner: 'me' } });
    expect((await temp.db.configureIndex('tagged', { tags: { owner: '', env: 'prod' } })).tags).toEqual({ team: 'vision', env: 'prod' });
    await expectCode(temp.db.createIndex({ name: 'many', dimension: 2, tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }), 'FV_ERR_INDEX_CONFIG');
    await expectCode(temp.db.createIndex({ name: 'huge', dimension: 2, deployment: { serverless: { region: 'x'.repeat(9000) } } }), 'FV_ERR_INDEX_CONFIG');
  });

  it('upserts, fetches, queries with exact scores, ties by id, and overwrites', async () => {
    await temp.db.createIndex({ name: 'e', dimension: 2, metric: 'euclidean' });
    const index = temp.db.index('e');
    await index.upsert({ records: [
      { id: 'b', values: [3, 4], metadata: { kind: 'x' } },
      { id: 'a', values: [3, 4] },
      { id: 'c', values: [0, 1] },
    ] });
    const { matches } = await index.query({ vector: [0, 0], topK: 3, includeValues: true, includeMetadata: true });
    expect(matches).toEqual([
      { id: 'c', score: 1, values: [0, 1] },
      { id: 'a', score: 5, values: [3, 4] },
      { id: 'b', score: 5, values: [3, 4], metadata: { kind: 'x' } },
    ]);
    const fetched = await index.fetch({ ids: ['a', 'zzz'] });
    expect(Object.keys(fetched.records)).toEqual(['a']);
    expect(fetched.records.a).toEqual({ id: 'a', values: [3, 4] });
    // Pinecone's rule: 1 read unit per 10 records returned, at least 1; unknown ids cost nothing.
    const unknownIds = Array.from({ length: 30 }, (_, i) => `unknown-${i}`);
    expect((await index.fetch({ ids: ['a', 'b', 'c', ...unknownIds] })).usage).toEqual({ readUnits: 1 });

    await index.upsert({ records: [{ id: 'a', values: [0, 0.5] }] });
    expect((await index.query({ vector: [0, 0], topK: 1 })).matches[0]).toEqual({ id: 'a', score: 0.5 });
    expect((await index.describeIndexStats()).totalRecordCount).toBe(3);
  });

  it('scores cosine and dotproduct as similarities, higher first', async () => {
    await temp.db.createIndex({ name: 'c', dimension: 2, metric: 'cosine' });
    await temp.db.index('c').upsert({ records: [{ id: 'same', values: [2, 0] }, { id: 'orth', values: [0, 5] }, { id: 'opp', values: [-1, 0] }] });
    const c = await temp.db.index('c').query({ vector: [1, 0], topK: 3 });
    expect(c.matches.map((m) => [m.id, Math.round(m.score * 1e6) / 1e6])).toEqual([['same', 1], ['orth', 0], ['opp', -1]]);

    await temp.db.createIndex({ name: 'd', dimension: 2, metric: 'dotproduct' });
    await temp.db.index('d').upsert({ records: [{ id: 'p', values: [2, 1] }, { id: 'q', values: [1, 1] }] });
    expect((await temp.db.index('d').query({ vector: [1, 2], topK: 2 })).matches).toEqual([{ id: 'p', score: 4 }, { id: 'q', score: 3 }]);
  });

  it('filters, queries by id, updates, deletes by ids, filter and all', async () => {
    await temp.db.createIndex({ name: 'f', dimension: 2, metric: 'euclidean' });
    const index = temp.db.index('f');
    await index.upsert({ records: [
      { id: 'r1', values: [1, 0], metadata: { year: 2020, tags: ['a', 'b'] } },
      { id: 'r2', values: [2, 0], metadata: { year: 2021, tags: ['b'] } },
      { id: 'r3', values: [3, 0], metadata: { year: 2022 } },
    ] });
    const ids = async (filter: Record<string, unknown>) => (await index.query({ vector: [0, 0], topK: 10, filter })).matches.map((m) => m.id);
    expect(await ids({ year: { $gte: 2021 } })).toEqual(['r2', 'r3']);
    expect(await ids({ tags: 'a' })).toEqual(['r1']);
    expect(await ids({ $or: [{ year: 2020 }, { year: 2022 }] })).toEqual(['r1', 'r3']);
    await expectCode(index.query({ vector: [0, 0], topK: 1, filter: { year: { $regex: 'x' } } }), 'FV_ERR_FILTER');

    expect((await index.query({ id: 'r3', topK: 1 })).matches[0]).toEqual({ id: 'r3', score: 0 });
    // Pinecone answers a query by an unknown id with no matches, not an error (its client's tests expect it).
    expect((await index.query({ id: 'nope', topK: 1 })).matches).toEqual([]);

    await index.update({ id: 'r1', metadata: { year: 2030 } });
    expect((await index.fetch({ ids: ['r1'] })).records.r1?.metadata).toEqual({ year: 2030, tags: ['a', 'b'] });
    await index.update({ id: 'r1', values: [9, 9] });
    expect((await index.fetch({ ids: ['r1'] })).records.r1?.values).toEqual([9, 9]);
    await expectCode(index.update({ id: 'ghost', values: [1, 1] }), 'FV_ERR_RECORD_NOT_FOUND');

    await index.deleteOne({ id: 'r1' });
    await index.deleteMany({ filter: { year: 2021 } });
    expect((await index.describeIndexStats()).totalRecordCount).toBe(1);
    await index.deleteAll();
    expect((await index.describeIndexStats()).totalRecordCount).toBe(0);
    expect((await index.query({ vector: [0, 0], topK: 3 })).matches).toEqual([]);
  });

  it('keeps namespaces apart and lists ids with pagination', async () => {
    await temp.db.createIndex({ name: 'n', dimension: 1, metric: 'euclidean' });
    const index = temp.db.index('n');
    const records = Array.from({ length: 25 }, (_, i) => ({ id: `doc${String(i).padStart(2, '0')}`, values: [i] }));
    await index.namespace('left').upsert({ records });
    await index.upsert({ records: [{ id: 'solo', values: [0] }], namespace: 'right' });
    expect(await index.listNamespaces()).toEqual({ namespaces: [{ name: 'left', recordCount: 25 }, { name: 'right', recordCount: 1 }], totalCount: 2 });
    expect((await index.namespace('right').query({ vector: [0], topK: 5 })).matches.map((m) => m.id)).toEqual(['solo']);
    expect((await index.query({ vector: [0], topK: 5 })).matches).toEqual([]);

    const page1 = await index.namespace('left').listPaginated({ prefix: 'doc1', limit: 6 });
    expect(page1.vectors.map((v) => v.id)).toEqual(['doc10', 'doc11', 'doc12', 'doc13', 'doc14', 'doc15']);
    const page2 = await index.namespace('left').listPaginated({ prefix: 'doc1', limit: 6, paginationToken: page1.pagination?.next });
    expect(page2.vectors.map((v) => v.id)).toEqual(['doc16', 'doc17', 'doc18', 'doc19']);
    expect(page2.pagination).toBeUndefined();
    await expectCode(index.namespace('left').listPaginated({ paginationToken: '%%%' }), 'FV_ERR_PAGINATION_TOKEN');

    await index.deleteNamespace('right');
    await expectCode(index.deleteNamespace('right'), 'FV_ERR_NAMESPACE_NOT_FOUND');
    await expectCode(index.describeNamespace('right'), 'FV_ERR_NAMESPACE_NOT_FOUND');
  });

  it('pages through ids without metadata, a limit at a time, to the last id exactly once', async () => {
    await temp.db.createIndex({ name: 'l', dimension: 2, metric: 'euclidean' });
    const index = temp.db.index('l');
    const ids = Array.from({ length: 250 }, (_, i) => `id-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < ids.length; i += 100) await index.upsert({ records: ids.slice(i, i + 100).map((id, j) => ({ id, values: [i + j, 1] })) });
    const seen: string[] = [];
    let paginationToken: string | undefined;
    let pages = 0;
    do {
      const page = await index.listPaginated({ limit: 40, paginationToken });
      seen.push(...page.vectors.map((v) => v.id));
      paginationToken = page.pagination?.next;
      pages++;
    } while (paginationToken !== undefined);
    expect(seen).toEqual(ids);
    expect(pages).toBe(7);
    const all = await index.listPaginated();
    expect(all.vectors).toHaveLength(100);
    expect(all.pagination?.next).toBeDefined();
  });

  it('lists namespaces a page at a time with a prefix, as the Pinecone v8 client does', async () => {
    await temp.db.createIndex({ name: 'ns', dimension: 1, metric: 'euclidean' });
    const index = temp.db.index('ns');
    for (const name of ['a1', 'a2', 'a3', 'b1', '']) await index.namespace(name).upsert({ records: [{ id: 'x', values: [1] }] });
    const first = await index.listNamespaces({ prefix: 'a', limit: 2 });
    expect(first).toEqual({ namespaces: [{ name: 'a1', recordCount: 1 }, { name: 'a2', recordCount: 1 }], pagination: { next: expect.any(String) }, totalCount: 3 });
    const second = await index.listNamespaces({ prefix: 'a', limit: 2, paginationToken: first.pagination?.next });
    expect(second).toEqual({ namespaces: [{ name: 'a3', recordCount: 1 }], totalCount: 3 });
    expect((await index.listNamespaces()).namespaces.map((ns) => ns.name)).toEqual(['', 'a1', 'a2', 'a3', 'b1']);
    await expectCode(index.listNamespaces({ limit: 0 }), 'FV_ERR_INVALID_ARGUMENT');
    await expectCode(index.listNamespaces({ paginationToken: '%%%' }), 'FV_ERR_PAGINATION_TOKEN');
  });

  it('types update as Pinecone v8 does: by id with values and metadata, or by filter with metadata', async () => {
    await temp.db.createIndex({ name: 'u', dimension: 2, metric: 'euclidean' });
    const index = temp.db.index<{ subject: string; n?: number }>('u');
    await index.upsert({ records: [{ id: 'a', values: [1, 1], metadata: { subject: 'ada' } }, { id: 'b', values: [2, 2], metadata: { subject: 'bob' } }] });
    expect(await index.update({ id: 'a', values: [3, 3], metadata: { n: 1 } })).toEqual({ matchedRecords: 1 });
    expect(await index.update({ filter: { subject: 'bob' }, metadata: { n: 2 } })).toEqual({ matchedRecords: 1 });
    // @ts-expect-error values can be set by id only
    await expectCode(index.update({ filter: { subject: 'bob' }, values: [0, 0] }), 'FV_ERR_INVALID_ARGUMENT');
    // @ts-expect-error id and filter exclude each other
    await expectCode(index.update({ id: 'a', filter: { subject: 'bob' }, metadata: { n: 3 } }), 'FV_ERR_INVALID_ARGUMENT');
    expect((await index.fetch({ ids: ['a', 'b'] })).records).toEqual({
      a: { id: 'a', values: [3, 3], metadata: { subject: 'ada', n: 1 } },
      b: { id: 'b', values: [2, 2], metadata: { subject: 'bob', n: 2 } },
    });
    expect(await index.describeIndexStats({ filter: { n: { $gte: 2 } } })).toEqual({ namespaces: { '': { recordCount: 1 } }, dimension: 2, indexFullness: 0, totalRecordCount: 1 });
  });

  it('keeps concurrent upserts apart (each validates into a buffer of its own) and reuses the buffers afterwards', async () => {
    await temp.db.createIndex({ name: 'faces', dimension: 4, metric: 'euclidean', engine: 'approximate' });
    const index = temp.db.index('faces');
    const batch = (tag: number) => Array.from({ length: 50 }, (_, i) => ({ id: `${tag}-${i}`, values: [tag, i, tag * i, 1] }));
    await Promise.all([1, 2, 3, 4, 5, 6].map((tag) => index.upsert({ records: batch(tag), namespace: `ns${tag % 2}` })));
    await index.upsert({ records: batch(7).slice(0, 3) });
    for (const tag of [1, 2, 3, 4, 5, 6]) {
      const { records } = await index.fetch({ ids: [`${tag}-0`, `${tag}-49`], namespace: `ns${tag % 2}` });
      expect(Array.from(records[`${tag}-49`]?.values ?? [])).toEqual([tag, 49, tag * 49, 1]);
      expect(Array.from(records[`${tag}-0`]?.values ?? [])).toEqual([tag, 0, 0, 1]);
    }
    expect(Array.from((await index.fetch({ ids: ['7-2'] })).records['7-2']?.values ?? [])).toEqual([7, 2, 14, 1]);
  });

  it('rejects a bad batch whole: nothing of it is written', async () => {
    await temp.db.createIndex({ name: 'v', dimension: 2, metric: 'cosine' });
    const index = temp.db.index('v');
    await expectCode(index.upsert({ records: [{ id: 'ok', values: [1, 2] }, { id: 'bad', values: [1, Number.NaN] }] }), 'FV_ERR_VECTOR_VALUE');
    await expectCode(index.upsert({ records: [{ id: 'ok', values: [1, 2] }, { id: 'short', values: [1] }] }), 'FV_ERR_VECTOR_DIMENSION');
    await expectCode(index.upsert({ records: [{ id: '', values: [1, 2] }] }), 'FV_ERR_RECORD_ID');
    await expectCode(index.upsert({ records: [{ id: 'x'.repeat(513), values: [1, 2] }] }), 'FV_ERR_RECORD_ID');
    await expectCode(index.upsert({ records: Array.from({ length: 1001 }, (_, i) => ({ id: `r${i}`, values: [1, 2] })) }), 'FV_ERR_BATCH_TOO_LARGE');
    await expectCode(index.upsert({ records: [{ id: 'm', values: [1, 2], metadata: { nested: { a: 1 } } as never }] }), 'FV_ERR_METADATA');
    await expectCode(index.upsert({ records: [{ id: 'm', values: [1, 2], metadata: { big: 'x'.repeat(41 * 1024) } }] }), 'FV_ERR_METADATA');
    await expectCode(index.query({ vector: [1, 2], topK: 0 }), 'FV_ERR_TOP_K');
    await expectCode(index.query({ vector: [1, 2], topK: 10_001 }), 'FV_ERR_TOP_K');
    expect((await index.describeIndexStats()).totalRecordCount).toBe(0);
    expect((await index.fetch({ ids: ['ok'] })).records).toEqual({});
  });

  it('refuses an update whose merged metadata outgrows the limit, and changes nothing', async () => {
    await temp.db.createIndex({ name: 'm', dimension: 1, metric: 'euclidean' });
    const index = temp.db.index('m');
    await index.upsert({ records: [{ id: 'a', values: [1], metadata: { left: 'x'.repeat(30_000) } }] });
    await expectCode(index.update({ id: 'a', metadata: { right: 'y'.repeat(30_000) } }), 'FV_ERR_METADATA');
    expect(Object.keys((await index.fetch({ ids: ['a'] })).records.a?.metadata ?? {})).toEqual(['left']);
  });

  it('comes back identical after close and reopen, and refuses use after close', async () => {
    await temp.db.createIndex({ name: 'p', dimension: 2, metric: 'euclidean', tags: { team: 'a' } });
    const index = temp.db.index('p');
    await index.upsert({ records: [{ id: 'a', values: [1, 1], metadata: { n: 1 } }, { id: 'b', values: [2, 2] }] });
    await index.upsert({ records: [{ id: 'a', values: [5, 5], metadata: { n: 2 } }], namespace: 'ns' });
    await index.deleteOne({ id: 'b' });
    await temp.db.close();
    await expectCode(temp.db.listIndexes(), 'FV_ERR_CLOSED');

    await temp.reopen();
    expect(await temp.db.describeIndex('p')).toMatchObject({ dimension: 2, metric: 'euclidean', tags: { team: 'a' } });
    const reopened = temp.db.index('p');
    expect((await reopened.fetch({ ids: ['a', 'b'] })).records).toEqual({ a: { id: 'a', values: [1, 1], metadata: { n: 1 } } });
    expect((await reopened.namespace('ns').fetch({ ids: ['a'] })).records.a?.metadata).toEqual({ n: 2 });
  });

  it('answers approximate queries with fresh writes, deletes and overwrites visible at once', async () => {
    await temp.db.createIndex({ name: 'ann', dimension: 4, metric: 'cosine', engine: 'approximate' });
    const index = temp.db.index('ann');
    const records = Array.from({ length: 300 }, (_, i) => ({ id: `r${i}`, values: [Math.cos(i), Math.sin(i), (i % 7) + 1, (i % 3) + 1] }));
    for (let i = 0; i < records.length; i += 100) await index.upsert({ records: records.slice(i, i + 100) });
    await index.upsert({ records: [{ id: 'fresh', values: [0, 0, 0, 1] }] });
    expect((await index.query({ vector: [0, 0, 0, 1], topK: 1 })).matches[0]?.id).toBe('fresh');
    await index.flush();
    expect((await index.query({ vector: [0, 0, 0, 1], topK: 1, exact: false })).matches[0]?.id).toBe('fresh');
    await index.deleteOne({ id: 'fresh' });
    expect((await index.query({ vector: [0, 0, 0, 1], topK: 5, exact: false })).matches.map((m) => m.id)).not.toContain('fresh');
    await index.upsert({ records: [{ id: 'r5', values: [0, 0, 0, 1] }] });
    const top = await index.query({ vector: [0, 0, 0, 1], topK: 1, exact: false, includeValues: true });
    expect(top.matches[0]).toMatchObject({ id: 'r5', values: [0, 0, 0, 1] });
    const exact = await index.query({ vector: at(records, 42).values, topK: 10, exact: true });
    const approx = await index.query({ vector: at(records, 42).values, topK: 10, exact: false });
    expect(approx.matches.map((m) => m.id)).toEqual(exact.matches.map((m) => m.id));
  });
});

describe('Database ownership', () => {
  it('refuses a second open of the same directory while the first is open', async () => {
    const tmp = makeTempDir();
    const first = await openDatabase(tmp.dir);
    try {
      await expectCode(openDatabase(tmp.dir), 'FV_ERR_STORAGE_LOCKED');
    } finally {
      await first.close();
    }
    const again = await openDatabase(tmp.dir);
    await again.close();
    tmp.cleanup();
  });
});
