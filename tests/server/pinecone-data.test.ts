/** The data plane through the official Pinecone client only, against a real server on a random port. */
import type { Index, PineconeRecord } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVERLESS, startHarness, type Harness } from './harness.js';

let h: Harness;
let index: Index;

/** Four records on the axes of a plane, so every distance is known by hand. */
const RECORDS: PineconeRecord[] = [
  { id: 'a1', values: [1, 0], metadata: { genre: 'drama', year: 2001, tags: ['x'] } },
  { id: 'a2', values: [0, 1], metadata: { genre: 'comedy', year: 2010 } },
  { id: 'b1', values: [-1, 0], metadata: { genre: 'drama', year: 2020 } },
  { id: 'b2', values: [0, -1] },
];

beforeAll(async () => {
  h = await startHarness();
  await h.pc.createIndex({ name: 'plane', dimension: 2, metric: 'euclidean', spec: SERVERLESS });
  index = h.pc.index('plane');
  await index.upsert({ records: RECORDS });
});
afterAll(async () => h.stop());

describe('upsert, query, fetch', () => {
  it('queries by vector with scores and order exactly as the engine gives them', async () => {
    const result = await index.query({ vector: [1, 0], topK: 3 });
    expect(result.matches.map((m) => m.id)).toEqual(['a1', 'a2', 'b2']);
    // euclidean distances from (1,0): 0, √2, √2 — ties keep the engine's order
    expect(result.matches[0]?.score).toBe(0);
    expect(result.matches[1]?.score).toBeCloseTo(Math.SQRT2, 6);
    expect(result.matches[0]?.values).toBeUndefined();
    expect(result.matches[0]?.metadata).toBeUndefined();
  });

  it('returns values and metadata when asked', async () => {
    const result = await index.query({ vector: [1, 0], topK: 1, includeValues: true, includeMetadata: true });
    expect(result.matches[0]).toMatchObject({ id: 'a1', values: [1, 0], metadata: { genre: 'drama', year: 2001, tags: ['x'] } });
  });

  it('queries by the vector of a stored record', async () => {
    const result = await index.query({ id: 'b1', topK: 1 });
    expect(result.matches.map((m) => m.id)).toEqual(['b1']);
  });

  it('applies a metadata filter', async () => {
    const result = await index.query({ vector: [1, 0], topK: 4, filter: { genre: { $eq: 'drama' }, year: { $gte: 2010 } } });
    expect(result.matches.map((m) => m.id)).toEqual(['b1']);
  });

  it('fetches records by id, leaving unknown ids out', async () => {
    const result = await index.fetch({ ids: ['a2', 'nope'] });
    expect(Object.keys(result.records)).toEqual(['a2']);
    expect(result.records.a2).toMatchObject({ id: 'a2', values: [0, 1], metadata: { genre: 'comedy', year: 2010 } });
  });

  it('returns values as they were sent when they are float32 values, not their 17-digit doubles', async () => {
    const scratch = index.namespace('precision');
    await scratch.upsert({ records: [{ id: 'p', values: [0.5, 0.4], metadata: { kind: 'p' } }] });
    expect((await scratch.fetch({ ids: ['p'] })).records.p?.values).toEqual([0.5, 0.4]);
    expect((await scratch.query({ id: 'p', topK: 1, includeValues: true })).matches[0]?.values).toEqual([0.5, 0.4]);
    expect((await scratch.fetchByMetadata({ filter: { kind: 'p' } })).records.p?.values).toEqual([0.5, 0.4]);
    await scratch.deleteAll();
  });

  it('reports read units as Pinecone documents them: 1 per 10 records a fetch returns (at least 1), 1 per list page and query', async () => {
    const scratch = index.namespace('read-units');
    await scratch.upsert({ records: Array.from({ length: 25 }, (_, i) => ({ id: `r${i}`, values: [i, 1] })) });
    const requested = [...Array.from({ length: 25 }, (_, i) => `r${i}`), 'r0', ...Array.from({ length: 10 }, (_, i) => `missing-${i}`)];
    expect((await scratch.fetch({ ids: requested })).usage?.readUnits).toBe(3);
    expect((await scratch.fetch({ ids: ['missing-1'] })).usage?.readUnits).toBe(1);
    expect((await scratch.listPaginated({ limit: 20 })).usage?.readUnits).toBe(1);
    expect((await scratch.query({ vector: [0, 0], topK: 25 })).usage?.readUnits).toBe(1);
    await scratch.deleteAll();
  });

  it('caps topK at 1,000 when matches carry values or metadata, as Pinecone; 10,000 without', async () => {
    await expect(index.query({ vector: [1, 0], topK: 1001, includeMetadata: true })).rejects.toThrow(/topK: is 1001; with includeMetadata it may be at most 1000/);
    expect((await index.query({ vector: [1, 0], topK: 10_000 })).matches).toHaveLength(RECORDS.length);
  });

  it('fetches a single id (a query string holding one value)', async () => {
    const result = await index.fetch({ ids: ['b2'] });
    expect(result.records.b2?.values).toEqual([0, -1]);
  });
});

describe('exact and approximate', () => {
  it('answers the same top-1 on the graph and by scan; the engine is chosen per index and per client handle', async () => {
    await h.pc.createIndex({ name: 'ann', dimension: 8, metric: 'cosine', spec: SERVERLESS, tags: { engine: 'approximate' } });
    expect((await h.pc.describeIndex('ann')).tags?.engine).toBe('approximate');
    const records = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, values: Array.from({ length: 8 }, (_, d) => Math.sin(i * 7 + d * 3) + (d === i % 8 ? 2 : 0)) }));
    const ann = h.pc.index('ann');
    await ann.upsert({ records });
    const exactHandle = h.pc.index({ name: 'ann', additionalHeaders: { 'X-Facevault-Exact': 'true' } });
    const approximateHandle = h.pc.index({ name: 'ann', additionalHeaders: { 'X-Facevault-Exact': 'false' } });
    for (const probe of [3, 17, 29]) {
      const vector = records[probe]?.values as number[];
      const byDefault = await ann.query({ vector, topK: 1 });
      const approximate = await approximateHandle.query({ vector, topK: 1 });
      const exact = await exactHandle.query({ vector, topK: 1 });
      expect(exact.matches[0]?.id).toBe(`r${probe}`);
      expect(approximate.matches[0]?.id).toBe(`r${probe}`);
      expect(byDefault.matches[0]?.id).toBe(`r${probe}`);
      expect(exact.matches[0]?.score).toBeCloseTo(1, 5);
    }
  });
});

describe('namespaces', () => {
  it('keeps namespaces apart, lists, describes and deletes them', async () => {
    const cats = index.namespace('cats');
    await cats.upsert({ records: [{ id: 'c1', values: [0.5, 0.5] }, { id: 'c2', values: [0.4, 0.6] }] });
    expect((await cats.query({ vector: [1, 0], topK: 10 })).matches.map((m) => m.id).sort()).toEqual(['c1', 'c2']);
    expect((await cats.query({ vector: [1, 0], topK: 10 })).namespace).toBe('cats');

    const listed = await index.listNamespaces();
    expect(listed.namespaces?.map((n) => [n.name, n.recordCount])).toEqual([
      ['__default__', 4],
      ['cats', 2],
    ]);
    expect(listed.totalCount).toBe(2);
    expect(await index.describeNamespace('cats')).toMatchObject({ name: 'cats', recordCount: 2 });
    const page = await index.listNamespaces({ limit: 1 });
    expect(page.namespaces?.map((n) => n.name)).toEqual(['__default__']);
    const next = await index.listNamespaces({ limit: 1, paginationToken: page.pagination?.next as string });
    expect(next.namespaces?.map((n) => n.name)).toEqual(['cats']);
    expect(next.pagination).toBeUndefined();

    await index.deleteNamespace('cats');
    expect((await index.listNamespaces()).namespaces?.map((n) => n.name)).toEqual(['__default__']);
  });
});

describe('stats and listing', () => {
  it('counts records per namespace, with and without a filter', async () => {
    const stats = await index.describeIndexStats();
    expect(stats).toEqual({ namespaces: { __default__: { recordCount: 4 } }, dimension: 2, indexFullness: 0, totalRecordCount: 4 });
    const dramas = await index.describeIndexStats({ filter: { genre: 'drama' } });
    expect(dramas.totalRecordCount).toBe(2);
  });

  it('lists ids by prefix, a page at a time', async () => {
    const first = await index.listPaginated({ prefix: 'a', limit: 1 });
    expect(first.vectors?.map((v) => v.id)).toEqual(['a1']);
    const second = await index.listPaginated({ prefix: 'a', limit: 1, paginationToken: first.pagination?.next as string });
    expect(second.vectors?.map((v) => v.id)).toEqual(['a2']);
    expect(second.pagination).toBeUndefined();
    const all = await index.listPaginated();
    expect(all.vectors?.map((v) => v.id)).toEqual(['a1', 'a2', 'b1', 'b2']);
  });
});

describe('update and delete', () => {
  it('updates values and merges metadata', async () => {
    const scratch = index.namespace('scratch');
    await scratch.upsert({ records: [{ id: 'u', values: [1, 1], metadata: { keep: 'yes', n: 1 } }] });
    await scratch.update({ id: 'u', values: [2, 2], metadata: { n: 2 } });
    const { records } = await scratch.fetch({ ids: ['u'] });
    expect(records.u).toMatchObject({ values: [2, 2], metadata: { keep: 'yes', n: 2 } });
  });

  it('deletes by ids, by filter and all', async () => {
    const scratch = index.namespace('deletions');
    await scratch.upsert({
      records: [
        { id: 'd1', values: [1, 0], metadata: { kind: 'x' } },
        { id: 'd2', values: [0, 1], metadata: { kind: 'y' } },
        { id: 'd3', values: [1, 1], metadata: { kind: 'y' } },
        { id: 'd4', values: [2, 1], metadata: { kind: 'z' } },
      ],
    });
    await scratch.deleteOne({ id: 'd1' });
    await scratch.deleteMany({ ids: ['d4'] });
    expect(Object.keys((await scratch.fetch({ ids: ['d1', 'd2', 'd3', 'd4'] })).records).sort()).toEqual(['d2', 'd3']);
    await scratch.deleteMany({ filter: { kind: { $eq: 'y' } } });
    expect((await scratch.describeIndexStats()).namespaces?.deletions).toBeUndefined();

    await scratch.upsert({ records: [{ id: 'e1', values: [1, 0] }, { id: 'e2', values: [0, 1] }] });
    await scratch.deleteAll();
    expect((await scratch.fetch({ ids: ['e1', 'e2'] })).records).toEqual({});
    expect((await index.fetch({ ids: ['a1'] })).records.a1).toBeDefined();
  });
});

describe('update by filter', () => {
  it('merges metadata into every matching record and counts them', async () => {
    const scratch = index.namespace('by-filter');
    await scratch.upsert({
      records: [
        { id: 'f1', values: [1, 0], metadata: { group: 'a' } },
        { id: 'f2', values: [0, 1], metadata: { group: 'a' } },
        { id: 'f3', values: [1, 1], metadata: { group: 'b' } },
      ],
    });
    await scratch.update({ filter: { group: { $eq: 'a' } }, metadata: { flagged: true } });
    const { records } = await scratch.fetch({ ids: ['f1', 'f2', 'f3'] });
    expect([records.f1?.metadata, records.f2?.metadata, records.f3?.metadata]).toEqual([
      { group: 'a', flagged: true },
      { group: 'a', flagged: true },
      { group: 'b' },
    ]);
  });
});

describe('the default namespace, as the client names it', () => {
  it('reaches one namespace whether the client sends __default__ (its default) or ""', async () => {
    // pc.index(name) and index.namespace('') both target '__default__'; an explicit namespace: '' is sent as ''.
    expect(Object.keys((await index.namespace('').fetch({ ids: ['a1'] })).records)).toEqual(['a1']);
    expect(Object.keys((await index.fetch({ ids: ['a1'], namespace: '' })).records)).toEqual(['a1']);
    expect((await index.query({ id: 'a1', topK: 1, namespace: '' })).matches.map((m) => m.id)).toEqual(['a1']);
    expect((await index.listPaginated({ namespace: '' })).vectors?.map((v) => v.id)).toEqual(['a1', 'a2', 'b1', 'b2']);
    // responses spell it __default__, as Pinecone does
    expect((await index.fetch({ ids: ['a1'], namespace: '' })).namespace).toBe('__default__');
    expect(await index.describeNamespace('__default__')).toMatchObject({ name: '__default__', recordCount: 4 });
    expect(Object.keys((await index.describeIndexStats()).namespaces ?? {})).toContain('__default__');
  });
});

describe('limits the client reaches', () => {
  it('fetches 1,000 ids in one request (a query string of ~20 KB)', async () => {
    const scratch = index.namespace('thousand');
    const ids = Array.from({ length: 1000 }, (_, i) => `photo-${String(i).padStart(6, '0')}.jpg`);
    await scratch.upsert({ records: ids.map((id, i) => ({ id, values: [i, 1] })) });
    const { records } = await scratch.fetch({ ids });
    expect(Object.keys(records)).toHaveLength(1000);
    await scratch.deleteAll();
  });

  it('serves a namespace name of 300 characters on the namespace routes', async () => {
    const name = `ns-${'x'.repeat(297)}`;
    await index.namespace(name).upsert({ records: [{ id: 'long', values: [1, 1] }] });
    expect(await index.describeNamespace(name)).toMatchObject({ name, recordCount: 1 });
    await index.deleteNamespace(name);
    expect((await index.listNamespaces()).namespaces?.map((n) => n.name)).not.toContain(name);
  });
});

describe('fetch by metadata', () => {
  it('returns the matching records a page at a time, in id order, in a namespace', async () => {
    const shelf = index.namespace('shelf');
    await shelf.upsert({
      records: Array.from({ length: 250 }, (_, i) => ({ id: `book-${String(i).padStart(3, '0')}`, values: [i, 0], metadata: { genre: i % 5 === 0 ? 'poetry' : 'prose', year: 1900 + i } })),
    });
    const first = await shelf.fetchByMetadata({ filter: { genre: { $eq: 'poetry' } }, limit: 20 });
    expect(Object.keys(first.records)).toEqual(Array.from({ length: 20 }, (_, i) => `book-${String(i * 5).padStart(3, '0')}`));
    expect(first.records['book-005']).toMatchObject({ values: [5, 0], metadata: { genre: 'poetry', year: 1905 } });
    expect(first.namespace).toBe('shelf');

    const seen = Object.keys(first.records);
    let token = first.pagination?.next;
    while (token !== undefined) {
      const page = await shelf.fetchByMetadata({ filter: { genre: { $eq: 'poetry' } }, limit: 20, paginationToken: token });
      seen.push(...Object.keys(page.records));
      token = page.pagination?.next;
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `book-${String(i * 5).padStart(3, '0')}`));

    const recent = await shelf.fetchByMetadata({ filter: { genre: 'poetry', year: { $gte: 2140 } } });
    expect(Object.keys(recent.records)).toEqual(['book-240', 'book-245']);
    expect(recent.pagination).toBeUndefined();
    // the default namespace is not searched
    expect((await index.fetchByMetadata({ filter: { genre: 'poetry' } })).records).toEqual({});
  });

  it('names a bad operator and refuses a token it did not issue', async () => {
    await expect(index.fetchByMetadata({ filter: { genre: { $regex: 'x' } } })).rejects.toThrow(/FV_ERR_FILTER.*\$regex/);
    await expect(index.fetchByMetadata({ filter: { genre: 'drama' }, paginationToken: 'bm90LWEtdG9rZW4' })).rejects.toThrow(/FV_ERR_PAGINATION_TOKEN/);
  });
});

describe('query options', () => {
  it('filters within a namespace and includes values and metadata only when asked', async () => {
    const zoo = index.namespace('zoo');
    await zoo.upsert({
      records: [
        { id: 'z1', values: [1, 0], metadata: { kind: 'cat', legs: 4 } },
        { id: 'z2', values: [0.9, 0.1], metadata: { kind: 'bird', legs: 2 } },
        { id: 'z3', values: [0, 1], metadata: { kind: 'cat', legs: 3 } },
      ],
    });
    const cats = await zoo.query({ vector: [1, 0], topK: 10, filter: { $and: [{ kind: { $in: ['cat'] } }, { legs: { $gt: 2 } }] }, includeMetadata: true });
    expect(cats.matches.map((m) => [m.id, m.metadata?.kind, m.values])).toEqual([
      ['z1', 'cat', undefined],
      ['z3', 'cat', undefined],
    ]);
    const withValues = await zoo.query({ id: 'z2', topK: 1, includeValues: true });
    expect(withValues.matches[0]).toMatchObject({ id: 'z2', values: [expect.closeTo(0.9, 6), expect.closeTo(0.1, 6)] });
    expect(withValues.matches[0]?.metadata).toBeUndefined();
    await zoo.deleteAll();
  });

  it('lists namespaces by prefix, a page at a time', async () => {
    const names = ['team-a', 'team-b', 'team-c'];
    for (const name of names) await index.namespace(name).upsert({ records: [{ id: 'm', values: [1, 1] }] });
    const first = await index.listNamespaces({ prefix: 'team-', limit: 2 });
    expect(first.namespaces?.map((n) => n.name)).toEqual(['team-a', 'team-b']);
    expect(first.totalCount).toBe(3);
    const second = await index.listNamespaces({ prefix: 'team-', limit: 2, paginationToken: first.pagination?.next as string });
    expect(second.namespaces?.map((n) => [n.name, n.recordCount])).toEqual([['team-c', 1]]);
    expect(second.pagination).toBeUndefined();
    for (const name of names) await index.deleteNamespace(name);
  });
});
