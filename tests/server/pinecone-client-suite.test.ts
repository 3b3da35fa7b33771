/**
 * The official client's own integration tests (pinecone-io/pinecone-ts-client `src/integration`,
 * control and data plane, as shipped in 8.2.0's `dist/integration` and the 9.x
 * `data/vectors/fetchAndUpdate.test.ts`), ported to run against a facevault server, once per
 * client major. Left out: what facevault documents as unsupported (sparse indexes, integrated
 * inference, imports, backups, collections, createNamespace, assistants) and what tests only the
 * client (argument checks, a fetchApi that throws). Assertions are the originals', made strict
 * where the original sat in a catch block that passes when nothing is thrown.
 */
import type { Index, IndexModel, Pinecone, PineconeRecord, PodSpec, RecordMetadata, ServerlessSpecResponse } from '@pinecone-database/pinecone';
import type { Pinecone as Pinecone9 } from 'pinecone9';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/util/seeded-random.js';
import { API_KEY, startHarness, type Harness } from './harness.js';
import { OFFICIAL_CLIENTS, connect, type OfficialClient } from './official-clients.js';
import { at } from '../helpers/checked.js';

const FIXTURE = 'integration-fixture';
const PROJECT_TAG = { project: 'pinecone-integration-tests' };
const NAMESPACE_ONE = 'global-ns-one';
const PREFIX = 'preTest';
const DIFF_PREFIX = 'diff-prefix';
const METADATA = { genre: ['action', 'comedy', 'drama', 'horror', 'romance', 'thriller'], year: [2010, 2011, 2012, 2013, 2014, 2015] } as const;

/** test-helpers.ts generateRecords, seeded: values with 5 decimals, one metadata field each. */
function generateRecords(random: () => number, { dimension, quantity, prefix }: { dimension: number; quantity: number; prefix?: string }): PineconeRecord[] {
  return Array.from({ length: quantity }, (_, i) => {
    const key = random() < 0.5 ? 'genre' : 'year';
    const choices = METADATA[key];
    return {
      id: prefix === undefined ? String(i) : `${prefix}-${i}`,
      values: Array.from({ length: dimension }, () => Number(random().toFixed(5))),
      metadata: { [key]: at<string | number>(choices, Math.floor(random() * choices.length)) },
    };
  });
}

/** The spec of a description, whichever kind it is (the client types it as a union of all three). */
const specOf = (description: IndexModel) => description.spec as { serverless?: ServerlessSpecResponse; pod?: PodSpec };

const serverless = (region: string) => ({ serverless: { cloud: 'aws' as const, region } });

/** setup.ts: the shared serverless index, dotproduct, 11 records in one namespace. 9.x's own setup creates it natively (schema and deployment), as legacyVectorFixtures.ts does. */
async function createFixture(client: OfficialClient, pc: Pinecone): Promise<PineconeRecord[]> {
  if (client.major === 8) {
    const schema = { fields: { genre: { filterable: true }, year: { filterable: true } } };
    await pc.createIndex({ name: FIXTURE, dimension: 2, metric: 'dotproduct', spec: { serverless: { ...serverless('us-west-2').serverless, schema } }, waitUntilReady: true, tags: PROJECT_TAG });
  } else {
    await (pc as unknown as Pinecone9).indexes.create({
      name: FIXTURE,
      deployment: { deploymentType: 'managed', cloud: 'aws', region: 'us-west-2' },
      schema: { fields: { _values: { type: 'dense_vector', dimension: 2, metric: 'dotproduct' } } },
      tags: PROJECT_TAG,
      waitUntilReady: true,
    });
  }
  const random = seededRandom(client.major);
  const records = [...generateRecords(random, { dimension: 2, quantity: 1, prefix: DIFF_PREFIX }), ...generateRecords(random, { dimension: 2, quantity: 10, prefix: PREFIX })];
  await pc.index({ name: FIXTURE, namespace: NAMESPACE_ONE }).upsert({ records });
  return records;
}

describe.each(OFFICIAL_CLIENTS)('the official client, major $major', (client) => {
  let h: Harness;
  let pc: Pinecone;
  let fixtureRecords: PineconeRecord[];
  const fixture = () => pc.index({ name: FIXTURE, namespace: NAMESPACE_ONE });

  beforeAll(async () => {
    h = await startHarness();
    pc = connect(client, h.server.url, API_KEY);
    fixtureRecords = await createFixture(client, pc);
  });
  afterAll(async () => h.stop());

  describe('control/createIndex', () => {
    it('create dense index: defaults to cosine, dense, OnDemand read capacity; tags as set', async () => {
      await pc.createIndex({ name: 'serverless-create', dimension: 5, metric: 'cosine', spec: serverless('us-west-2'), waitUntilReady: true, tags: PROJECT_TAG });
      const description = await pc.describeIndex('serverless-create');
      expect(description.name).toBe('serverless-create');
      expect(description.dimension).toBe(5);
      expect(description.metric).toBe('cosine');
      expect(description.host).toBeDefined();
      expect(description.vectorType).toBe('dense');
      expect(description.tags).toEqual(PROJECT_TAG);
      expect(specOf(description).serverless?.readCapacity?.mode).toBe('OnDemand');
      await pc.deleteIndex('serverless-create');
    });

    it('create serverless index with Dedicated read capacity', async () => {
      const readCapacity = { mode: 'Dedicated' as const, nodeType: 'b1' as const, manual: { replicas: 2, shards: 1 } };
      await pc.createIndex({ name: 'svrlss-dedicated', dimension: 5, spec: { serverless: { ...serverless('us-east-1').serverless, readCapacity } }, waitUntilReady: true, tags: PROJECT_TAG });
      const description = await pc.describeIndex('svrlss-dedicated');
      expect([description.dimension, description.metric, description.vectorType]).toEqual([5, 'cosine', 'dense']);
      const capacity = specOf(description).serverless?.readCapacity;
      expect(capacity?.mode).toBe('Dedicated');
      expect(capacity?.mode === 'Dedicated' && capacity.dedicated).toMatchObject({ nodeType: 'b1', manual: { replicas: 2, shards: 1 } });
      await pc.deleteIndex('svrlss-dedicated');
    });

    it('create index with invalid index name: 400 in Pinecone\'s words', async () => {
      const failing = pc.createIndex({ name: 'serverless-create-', dimension: 5, metric: 'cosine', spec: serverless('us-west-2') });
      await expect(failing).rejects.toMatchObject({ name: 'PineconeBadRequestError', message: expect.stringContaining('alphanumeric character') });
      await expect(failing).rejects.toThrow(/must consist of lower case alphanumeric characters or '-'/);
    });

    it.runIf(client.major === 8)('create pod index (9.x cannot create pod indexes: API 2026-07 has none)', async () => {
      await pc.createIndex({ name: 'test-pod-create', dimension: 5, metric: 'cosine', spec: { pod: { environment: 'us-east-1-aws', podType: 'p1.x1', pods: 1 } } });
      const description = await pc.describeIndex('test-pod-create');
      expect([description.name, description.dimension, description.metric, description.vectorType]).toEqual(['test-pod-create', 5, 'cosine', 'dense']);
      expect(description.host).toBeDefined();
      await pc.deleteIndex('test-pod-create');
    });

    it.runIf(client.major === 8)('create from non-existent collection fails and creates nothing (9.x refuses it before sending)', async () => {
      const failing = pc.createIndex({ name: 'collection-error', dimension: 5, metric: 'cosine', spec: { pod: { environment: 'us-east-1-aws', podType: 'p1.x1', pods: 1, sourceCollection: 'non-existent-collection' } } });
      await expect(failing).rejects.toMatchObject({ name: 'PineconeBadRequestError', message: expect.stringContaining('Resource non-existent-collection not found') });
      await expect(pc.describeIndex('collection-error')).rejects.toMatchObject({ name: 'PineconeNotFoundError' });
    });

    it('suppressConflicts: a second create of the same name resolves', async () => {
      const options = { name: 'suppressed', dimension: 5, metric: 'cosine' as const, spec: serverless('us-west-2'), waitUntilReady: true };
      await pc.createIndex(options);
      await expect(pc.createIndex({ ...options, suppressConflicts: true })).resolves.toBeUndefined();
      expect((await pc.describeIndex('suppressed')).name).toBe('suppressed');
      await pc.deleteIndex('suppressed');
    });
  });

  describe('control/configureIndex', () => {
    const name = 'serverless-configure';
    beforeAll(async () => {
      await pc.createIndex({ name, dimension: 5, metric: 'cosine', spec: serverless('us-east-1'), waitUntilReady: true, tags: PROJECT_TAG });
    });

    it('enable and disable deletionProtection', async () => {
      await pc.configureIndex({ name, deletionProtection: 'enabled' });
      await expect(pc.deleteIndex(name)).rejects.toMatchObject({ name: 'PineconeBadRequestError', message: expect.stringContaining('Deletion protection is enabled for this index') });
      await pc.configureIndex({ name, deletionProtection: 'disabled' });
    });

    it('Add/remove index tag(s) on serverless index', async () => {
      expect((await pc.describeIndex(name)).tags).toEqual(PROJECT_TAG);
      await pc.configureIndex({ name, tags: { testTag: 'testValue' } });
      expect((await pc.describeIndex(name)).tags).toEqual({ ...PROJECT_TAG, testTag: 'testValue' });
      await pc.configureIndex({ name, tags: { testTag: '' } });
      expect((await pc.describeIndex(name)).tags).toEqual(PROJECT_TAG);
      // configuring something else leaves the tags alone
      await pc.configureIndex({ name, deletionProtection: 'enabled' });
      expect((await pc.describeIndex(name)).tags).toEqual(PROJECT_TAG);
      await pc.configureIndex({ name, deletionProtection: 'disabled' });
    });

    it('Update a tag value in a serverless index', async () => {
      await pc.configureIndex({ name, tags: { project: 'updated-project' } });
      expect((await pc.describeIndex(name)).tags?.project).toBe('updated-project');
    });

    it('Remove the last tag: no tags reported, as Pinecone reports none', async () => {
      await pc.configureIndex({ name, tags: { project: '' } });
      expect((await pc.describeIndex(name)).tags).toBeUndefined();
    });
  });

  describe('control/describeIndex and listIndexes', () => {
    it('describe index, happy path', async () => {
      const description = await pc.describeIndex(FIXTURE);
      expect(description.name).toBe(FIXTURE);
      expect(description.dimension).toBe(2);
      expect(description.metric).toBe('dotproduct');
      expect(description.host).toBe(`${h.server.url}/indexes/${FIXTURE}`);
      expect(specOf(description).serverless).toMatchObject({ cloud: 'aws', region: 'us-west-2' });
      expect(description.status).toMatchObject({ ready: true, state: 'Ready' });
      expect(description.tags).toEqual(PROJECT_TAG);
    });

    it('describe index with invalid index name', async () => {
      await expect(pc.describeIndex('non-existent-index')).rejects.toMatchObject({ name: 'PineconeNotFoundError' });
    });

    it('list indexes', async () => {
      const response = await pc.listIndexes();
      expect(response.indexes?.map((index) => index.name)).toContain(FIXTURE);
    });
  });

  describe('data/namespaces', () => {
    beforeAll(async () => {
      const records = generateRecords(seededRandom(3), { dimension: 2, quantity: 5 });
      await pc.index({ name: FIXTURE, namespace: 'namespace-one' }).upsert({ records });
      await pc.index({ name: FIXTURE, namespace: 'namespace-two' }).upsert({ records });
    });

    it('list namespaces', async () => {
      const response = await pc.index({ name: FIXTURE }).listNamespaces();
      expect(response.namespaces).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'namespace-one' }), expect.objectContaining({ name: 'namespace-two' })]));
    });

    it('describe namespace', async () => {
      expect((await pc.index({ name: FIXTURE }).describeNamespace('namespace-one')).name).toBe('namespace-one');
      expect((await pc.index({ name: FIXTURE }).describeNamespace('namespace-two')).name).toBe('namespace-two');
    });

    it('delete namespace: gone from the list, then 404', async () => {
      const index = pc.index({ name: FIXTURE });
      await index.deleteNamespace('namespace-two');
      expect((await index.listNamespaces()).namespaces?.map((n) => n.name)).not.toContain('namespace-two');
      await expect(index.describeNamespace('namespace-two')).rejects.toMatchObject({ name: 'PineconeNotFoundError' });
    });

    it('the default namespace is __default__: listed, described and deleted by that name while it holds records, then gone', async () => {
      const index = pc.index({ name: FIXTURE });
      await index.upsert({ records: [{ id: 'in-default', values: [1, 1] }] });
      expect((await index.listNamespaces()).namespaces).toContainEqual(expect.objectContaining({ name: '__default__', recordCount: 1 }));
      expect(await index.describeNamespace('__default__')).toMatchObject({ name: '__default__', recordCount: 1 });
      await index.deleteNamespace('__default__');
      expect((await index.listNamespaces()).namespaces?.map((n) => n.name)).not.toContain('__default__');
      await expect(index.describeNamespace('__default__')).rejects.toMatchObject({ name: 'PineconeNotFoundError' });
      await expect(index.deleteNamespace('__default__')).rejects.toMatchObject({ name: 'PineconeNotFoundError' });
    });

    it('a namespace emptied by deletes no longer appears in the index, as Pinecone documents', async () => {
      const emptied = pc.index({ name: FIXTURE, namespace: 'emptied' });
      await emptied.upsert({ records: [{ id: 'a', values: [1, 0] }, { id: 'b', values: [0, 1] }] });
      await emptied.deleteMany({ ids: ['a'] });
      expect(await pc.index({ name: FIXTURE }).describeNamespace('emptied')).toMatchObject({ recordCount: 1 });
      await emptied.deleteOne({ id: 'b' });
      const index = pc.index({ name: FIXTURE });
      expect((await index.listNamespaces()).namespaces?.map((n) => n.name)).not.toContain('emptied');
      expect((await index.describeIndexStats()).namespaces?.emptied).toBeUndefined();
      await expect(index.describeNamespace('emptied')).rejects.toMatchObject({ name: 'PineconeNotFoundError' });
      await expect(index.deleteNamespace('emptied')).rejects.toMatchObject({ name: 'PineconeNotFoundError' });
    });
  });

  describe('data/vectors/delete', () => {
    let index: Index;
    let ids: string[];
    beforeAll(async () => {
      const name = 'integration-test-serverless-delete';
      await pc.createIndex({ name, dimension: 5, metric: 'cosine', spec: serverless('us-west-2'), waitUntilReady: true, suppressConflicts: true });
      index = pc.index({ name, namespace: NAMESPACE_ONE });
      const records = generateRecords(seededRandom(5), { dimension: 5, quantity: 5 });
      ids = records.map((r) => r.id);
      await index.upsert({ records });
    });

    it('verify delete with an id', async () => {
      await index.deleteOne({ id: at(ids, 0) });
      expect(Object.keys((await index.fetch({ ids })).records).sort()).toEqual(ids.slice(1));
    });

    it('verify deleteMany with multiple ids', async () => {
      await index.deleteMany({ ids: ids.slice(1, 3) });
      expect(Object.keys((await index.fetch({ ids })).records).sort()).toEqual(ids.slice(3));
    });
  });

  describe('data/vectors/fetch, fetchByMetadata, list', () => {
    it('fetch by id', async () => {
      const ids = fixtureRecords.slice(0, 3).map((r) => r.id);
      const results = await fixture().fetch({ ids });
      for (const id of ids) expect(results.records[id]?.id).toBe(id);
      expect(results.usage?.readUnits).toBeDefined();
    });

    it('fetch by metadata filter', async () => {
      const [key, value] = Object.entries(fixtureRecords[0]?.metadata as RecordMetadata)[0] as [string, string | number];
      const result = await fixture().fetchByMetadata({ filter: { [key]: { $eq: value } } });
      const expected = fixtureRecords.filter((r) => r.metadata?.[key] === value).map((r) => r.id).sort();
      expect(Object.keys(result.records).sort()).toEqual(expected);
      for (const record of Object.values(result.records)) expect(record.metadata).toMatchObject({ [key]: value });
    });

    it('test listPaginated with no arguments', async () => {
      const results = await fixture().listPaginated();
      expect(results.pagination).toBeUndefined();
      expect(results.vectors?.length).toBe(11);
      expect(results.namespace).toBe(NAMESPACE_ONE);
    });

    it('test listPaginated with prefix', async () => {
      const results = await fixture().listPaginated({ prefix: DIFF_PREFIX });
      expect(results.namespace).toBe(NAMESPACE_ONE);
      expect(results.vectors?.length).toBe(1);
      expect(results.pagination).toBeUndefined();
    });

    it('test listPaginated with limit and pagination', async () => {
      const first = await fixture().listPaginated({ prefix: PREFIX, limit: 3 });
      expect(first.namespace).toBe(NAMESPACE_ONE);
      expect(first.vectors?.length).toBe(3);
      expect(first.pagination).toBeDefined();
      const second = await fixture().listPaginated({ prefix: PREFIX, limit: 5, paginationToken: first.pagination?.next as string });
      expect(second.namespace).toBe(NAMESPACE_ONE);
      expect(second.vectors?.length).toBe(5);
    });
  });

  describe('data/vectors/query', () => {
    it('query by id', async () => {
      const results = await fixture().query({ id: fixtureRecords[0]?.id as string, topK: 4 });
      expect(results.matches?.length).toBe(4);
      expect(results.usage?.readUnits).toBeDefined();
    });

    it('query when topK is greater than number of records', async () => {
      const results = await fixture().query({ id: fixtureRecords[1]?.id as string, topK: 11 });
      expect(results.matches?.length).toBe(11);
    });

    it('with invalid id, returns empty results', async () => {
      const results = await fixture().query({ id: '12354523423', topK: 2 });
      expect(results.matches).toEqual([]);
    });

    it('query with vector values', async () => {
      const results = await fixture().query({ vector: [0.11, 0.22], topK: 1 });
      expect(results.matches?.length).toBe(1);
      expect(results.usage?.readUnits).toBeDefined();
    });

    it('query with includeValues: true', async () => {
      const results = await fixture().query({ vector: [0.3, 0.7], topK: 2, includeValues: true, includeMetadata: true });
      expect(results.matches?.length).toBe(2);
      for (const match of results.matches) {
        const sent = fixtureRecords.find((r) => r.id === match.id) as PineconeRecord;
        expect(match).toMatchObject({ values: sent.values, metadata: sent.metadata });
      }
    });
  });

  describe('data/vectors/upsertAndUpdate (dense)', () => {
    let index: Index;
    let record: PineconeRecord;
    beforeAll(async () => {
      const name = 'test-srvrlss-dense-upsert-update';
      await pc.createIndex({ name, dimension: 2, metric: 'cosine', spec: serverless('us-east-1'), vectorType: 'dense', waitUntilReady: true, suppressConflicts: true });
      index = pc.index({ name, namespace: NAMESPACE_ONE });
      record = generateRecords(seededRandom(7), { dimension: 2, quantity: 1 })[0] as PineconeRecord;
      await index.upsert({ records: [record] });
    });

    it('verify update by id: values come back as sent', async () => {
      const newValues = [0.5, 0.4];
      const newMetadata = { flavor: 'chocolate' };
      await index.update({ id: record.id, values: newValues, metadata: newMetadata });
      const result = await index.fetch({ ids: [record.id] });
      expect(result.records[record.id]?.values).toEqual(newValues);
      expect(result.records[record.id]?.metadata).toMatchObject(newMetadata);
    });

    it('verify update by metadata (filter)', async () => {
      const [key, value] = Object.entries(record.metadata as RecordMetadata)[0] as [string, string | number];
      await index.update({ filter: { [key]: { $eq: value } }, metadata: { flavor: 'vanilla' } });
      const result = await index.fetchByMetadata({ filter: { [key]: { $eq: value } } });
      expect(Object.values(result.records)[0]?.metadata).toMatchObject({ flavor: 'vanilla' });
    });
  });

  describe('data/vectors/fetchAndUpdate (legacy dense fetch and update, 9.x suite)', () => {
    const records: PineconeRecord[] = [
      { id: 'first', values: [1, 0], metadata: { group: 'selected', retained: true } },
      { id: 'second', values: [0.5, 0.5], metadata: { group: 'selected' } },
      { id: 'other', values: [0, 1], metadata: { group: 'other' } },
    ];
    let index: Index;
    let run = 0;
    beforeAll(async () => {
      await pc.createIndex({ name: 'legacy-dense', dimension: 2, metric: 'dotproduct', spec: serverless('us-west-2'), tags: { project: 'integration-test' }, waitUntilReady: true });
    });
    beforeEach(async () => {
      // Mutations get their own records: a namespace per test.
      const namespace = `legacy-fetch-update-${run++}`;
      index = pc.index({ name: 'legacy-dense', namespace });
      await index.upsert({ records });
      const result = await index.fetch({ ids: records.map((r) => r.id) });
      expect(result.namespace).toBe(namespace);
      expect(Object.keys(result.records).sort()).toEqual(['first', 'other', 'second']);
      for (const r of records) expect(result.records[r.id]).toMatchObject(r);
    });

    it('fetch returns stored values and metadata and omits unknown IDs', async () => {
      const result = await index.fetch({ ids: ['first', 'second', 'never-upserted'] });
      expect(Object.keys(result.records).sort()).toEqual(['first', 'second']);
      expect(result.records.first).toMatchObject(records[0] as PineconeRecord);
      expect(result.records.second).toMatchObject(records[1] as PineconeRecord);
      expect((await index.fetch({ ids: ['never-upserted'] })).records).toEqual({});
    });

    it('upsert replaces an existing record', async () => {
      const replacement = { id: 'first', values: [0.25, 0.75], metadata: { replaced: true } };
      await index.upsert({ records: [replacement] });
      const result = await index.fetch({ ids: ['first', 'second'] });
      expect(result.records.first).toMatchObject(replacement);
      expect(result.records.first?.metadata).toEqual(replacement.metadata);
      expect(result.records.second).toMatchObject(records[1] as PineconeRecord);
    });

    it('update changes values and merges metadata on one record', async () => {
      await index.update({ id: 'first', values: [0.25, 0.75], metadata: { changed: true } });
      const result = await index.fetch({ ids: ['first', 'second'] });
      expect(result.records.first?.values).toEqual([0.25, 0.75]);
      expect(result.records.first?.metadata).toEqual({ ...records[0]?.metadata, changed: true });
      expect(result.records.second).toMatchObject(records[1] as PineconeRecord);
    });

    it('metadata-only update preserves vector values', async () => {
      await index.update({ id: 'first', metadata: { group: 'updated' } });
      const result = await index.fetch({ ids: ['first'] });
      expect(result.records.first?.values).toEqual(records[0]?.values);
      expect(result.records.first?.metadata).toEqual({ group: 'updated', retained: true });
    });

    it('update by filter changes only matching records', async () => {
      await index.update({ filter: { group: { $eq: 'selected' } }, metadata: { changed: true } });
      const result = await index.fetch({ ids: ['first', 'second', 'other'] });
      for (const r of records.slice(0, 2)) {
        expect(result.records[r.id]?.values).toEqual(r.values);
        expect(result.records[r.id]?.metadata).toEqual({ ...r.metadata, changed: true });
      }
      expect(result.records.other?.metadata).toEqual(records[2]?.metadata);
    });

    it('fetchByMetadata returns matching records with values and metadata', async () => {
      const result = await index.fetchByMetadata({ filter: { group: { $eq: 'selected' } }, limit: 10 });
      expect(Object.keys(result.records).sort()).toEqual(['first', 'second']);
      expect(result.records.first).toMatchObject(records[0] as PineconeRecord);
      expect(result.records.second).toMatchObject(records[1] as PineconeRecord);
      expect((await index.fetchByMetadata({ filter: { group: { $eq: 'missing' } } })).records).toEqual({});
    });
  });

  describe('the reference workload, with default settings', () => {
    it('upserts 1,000 records of 128 full-precision doubles (2.6 MB of JSON) in one request, and fetches their float32 values', async () => {
      await pc.createIndex({ name: 'deepface', dimension: 128, metric: 'euclidean', spec: serverless('us-east-1'), waitUntilReady: true });
      const random = seededRandom(11);
      const records = Array.from({ length: 1000 }, (_, i) => ({ id: `img${i}.jpg`, values: Array.from({ length: 128 }, () => random() * 4 - 2), metadata: { source: `img${i}.jpg` } }));
      expect(JSON.stringify({ vectors: records }).length).toBeGreaterThan(2.5e6);
      const index = pc.index('deepface');
      await index.upsert({ records });
      expect((await index.describeIndexStats()).totalRecordCount).toBe(1000);
      const fetched = (await index.fetch({ ids: ['img7.jpg'] })).records['img7.jpg']?.values;
      expect(fetched?.map(Math.fround)).toEqual(records[7]?.values.map(Math.fround));
    });
  });

  describe('errorHandling', () => {
    it('when API key is wrong: calling control plane and data plane', async () => {
      const intruder = connect(client, h.server.url, 'not-the-key');
      await expect(intruder.listIndexes()).rejects.toMatchObject({ name: 'PineconeAuthorizationError' });
      const index = intruder.index({ name: FIXTURE, host: `${h.server.url}/indexes/${FIXTURE}` });
      await expect(index.query({ topK: 10, id: '1' })).rejects.toMatchObject({ name: 'PineconeAuthorizationError' });
    });
  });
});

describe('one server, both majors: an index created by either client describes itself to the other', () => {
  let h: Harness;
  let v8: Pinecone;
  let v9: Pinecone;
  beforeAll(async () => {
    h = await startHarness();
    [v8, v9] = OFFICIAL_CLIENTS.map((client) => connect(client, h.server.url, API_KEY)) as [Pinecone, Pinecone];
  });
  afterAll(async () => h.stop());

  it('8.x creates a pod index with a dedicated spec; 9.x sees its deployment and rescales it; 8.x sees the new replicas', async () => {
    await v8.createIndex({ name: 'pods', dimension: 3, metric: 'euclidean', spec: { pod: { environment: 'us-east1-gcp', podType: 'p1.x1', replicas: 1, shards: 1, pods: 1 } } });
    const seen = await v9.describeIndex('pods');
    expect([seen.dimension, seen.metric]).toEqual([3, 'euclidean']);
    expect((seen as unknown as { deployment: unknown }).deployment).toEqual({ deploymentType: 'pod', environment: 'us-east1-gcp', podType: 'p1.x1', replicas: 1, shards: 1 });
    await v9.configureIndex({ name: 'pods', podReplicas: 2 });
    expect(specOf(await v8.describeIndex('pods')).pod).toMatchObject({ replicas: 2, podType: 'p1.x1' });
  });

  it('9.x creates an index natively; 8.x reads its dimension, metric, spec and read capacity', async () => {
    await (v9 as unknown as Pinecone9).indexes.create({
      name: 'native',
      deployment: { deploymentType: 'managed', cloud: 'gcp', region: 'europe-west4' },
      schema: { fields: { _values: { type: 'dense_vector', dimension: 4, metric: 'dotproduct' } } },
      readCapacity: { mode: 'Dedicated', dedicated: { nodeType: 'b1', scaling: 'Manual', manual: { replicas: 1, shards: 2 } } },
    });
    const seen = await v8.describeIndex('native');
    expect([seen.dimension, seen.metric, seen.vectorType, seen.tags]).toEqual([4, 'dotproduct', 'dense', undefined]);
    expect(specOf(seen).serverless).toMatchObject({ cloud: 'gcp', region: 'europe-west4', readCapacity: { mode: 'Dedicated', status: { state: 'Ready', currentShards: 2 } } });
  });

  it('pod settings on a serverless index are refused in both versions', async () => {
    await v8.createIndex({ name: 'svl', dimension: 2, spec: serverless('us-east-1') });
    // 8.x checks this itself before sending, so its request is sent by hand.
    const response = await fetch(`${h.server.url}/indexes/svl`, {
      method: 'PATCH',
      headers: { 'api-key': API_KEY, 'content-type': 'application/json', 'x-pinecone-api-version': '2026-04' },
      body: JSON.stringify({ spec: { pod: { replicas: 2 } } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('Configuring replicas and pod type is not supported for serverless indexes') } });
    await expect(v9.configureIndex({ name: 'svl', podReplicas: 2 })).rejects.toMatchObject({ name: 'PineconeBadRequestError', message: expect.stringContaining('Configuring replicas and pod type is not supported for serverless indexes') });
  });

  it('9.x: what the 2026-07 API has and facevault does not is refused, naming it', async () => {
    const native = (v9 as unknown as Pinecone9).indexes;
    const create = (fields: Record<string, unknown>) => native.create({ name: 'docs', deployment: { deploymentType: 'managed', cloud: 'aws', region: 'us-east-1' }, schema: { fields } as never });
    await expect(create({ title: { type: 'string', fullTextSearch: {} } })).rejects.toMatchObject({ name: 'PineconeBadRequestError', message: expect.stringContaining('schema.fields.title: fields of the documents API are not supported') });
    await expect(create({ _sparse_values: { type: 'sparse_vector' } })).rejects.toMatchObject({ name: 'PineconeBadRequestError', message: expect.stringContaining('sparse indexes are not supported') });
    await expect(native.describe('docs')).rejects.toMatchObject({ name: 'PineconeNotFoundError' });
  });

  it('9.x: the documents API and backup schedules answer 400 FV_ERR_UNSUPPORTED naming the feature, not a misleading 404', async () => {
    const pc9 = v9 as unknown as Pinecone9;
    await v8.createIndex({ name: 'vectors', dimension: 2, spec: serverless('us-east-1') });
    const documents = pc9.index({ name: 'vectors', namespace: 'ns' }).documents;
    const refusals = [
      [() => documents.upsert({ documents: [{ _id: 'd', text: 'hello' }] } as never), /the documents API/],
      [() => documents.search({ topK: 1, scoreBy: [{ type: 'text', field: 'text', query: 'hello' }] } as never), /the documents API/],
      [() => documents.fetch({ ids: ['d'] }), /the documents API/],
      [() => pc9.backupSchedules.create('vectors', { name: 'nightly', frequency: 'daily', retentionDays: 7 } as never), /backup schedules/],
      [() => pc9.backupSchedules.list('vectors'), /backup schedules/],
    ] as const;
    for (const [refused, feature] of refusals) {
      await expect(refused()).rejects.toMatchObject({ name: 'PineconeBadRequestError', message: expect.stringMatching(feature) });
    }
  });
});
