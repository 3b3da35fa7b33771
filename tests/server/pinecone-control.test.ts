/** The control plane through the official Pinecone client only, against a real server on a random port. */
import { Errors } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, SERVERLESS, startHarness, type Harness } from './harness.js';

const { PineconeBadRequestError, PineconeConflictError, PineconeNotFoundError } = Errors;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

describe('control plane', () => {
  it('creates an index and describes it in Pinecone shapes, with a host the client can reach', async () => {
    const created = await h.pc.createIndex({ name: 'faces', dimension: 4, metric: 'euclidean', spec: SERVERLESS, tags: { team: 'vision' } });
    expect(created).toMatchObject({
      name: 'faces',
      dimension: 4,
      metric: 'euclidean',
      host: `${h.server.url}/indexes/faces`,
      deletionProtection: 'disabled',
      // exactly the tags set: the default engine is not reported as a tag the user never gave
      tags: { team: 'vision' },
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
      status: { ready: true, state: 'Ready' },
      vectorType: 'dense',
    });
    expect(await h.pc.describeIndex('faces')).toEqual(created);
  });

  it('waits until ready and defaults the metric to cosine, as the client asks', async () => {
    const created = await h.pc.createIndex({ name: 'waited', dimension: 2, spec: SERVERLESS, waitUntilReady: true });
    expect(created?.metric).toBe('cosine');
    expect(created?.status.ready).toBe(true);
  });

  it('reports a pod spec back as given', async () => {
    const pod = { environment: 'us-east1-gcp', podType: 'p1.x1' as const, replicas: 1, shards: 1, pods: 1 };
    const created = await h.pc.createIndex({ name: 'pods', dimension: 2, spec: { pod } });
    expect(created?.spec).toMatchObject({ pod });
    const configured = await h.pc.configureIndex({ name: 'pods', podReplicas: 2 });
    expect(configured.spec).toMatchObject({ pod: { ...pod, replicas: 2 } });
  });

  it('lists indexes', async () => {
    const names = (await h.pc.listIndexes()).indexes?.map((index) => index.name);
    expect(names).toEqual(expect.arrayContaining(['faces', 'waited', 'pods']));
  });

  it('configures deletion protection, tags and the default engine (tags.engine)', async () => {
    const configured = await h.pc.configureIndex({ name: 'faces', deletionProtection: 'enabled', tags: { engine: 'approximate', owner: 'me' } });
    expect(configured).toMatchObject({ deletionProtection: 'enabled', tags: { team: 'vision', owner: 'me', engine: 'approximate' } });
    await expect(h.pc.deleteIndex('faces')).rejects.toThrow(/FV_ERR_DELETION_PROTECTED/);
    await h.pc.configureIndex({ name: 'faces', deletionProtection: 'disabled', tags: { engine: 'exact' } });
  });

  it("removes a tag configured to '' (as Pinecone does) and refuses more than 20 tags", async () => {
    const configured = await h.pc.configureIndex({ name: 'faces', tags: { owner: '' } });
    expect(configured.tags).toEqual({ team: 'vision', engine: 'exact' });
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    await expect(h.pc.createIndex({ name: 'tagged', dimension: 2, spec: SERVERLESS, tags: many })).rejects.toThrow(/at most 20/);
  });

  it('creates an index once when several requests race for the name: one 201, the rest 409', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(`${h.server.url}/indexes`, {
          method: 'POST',
          headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'raced', dimension: 2, spec: SERVERLESS }),
        }).then((response) => response.status),
      ),
    );
    expect(statuses.sort()).toEqual([201, 409, 409, 409]);
  });

  it('refuses an existing name with 409 and suppresses it when asked', async () => {
    const again = h.pc.createIndex({ name: 'faces', dimension: 4, spec: SERVERLESS });
    await expect(again).rejects.toBeInstanceOf(PineconeConflictError);
    await expect(again).rejects.toThrow(/FV_ERR_INDEX_EXISTS/);
    await expect(h.pc.createIndex({ name: 'faces', dimension: 4, spec: SERVERLESS, suppressConflicts: true })).resolves.toBeUndefined();
  });

  it('names the bad field in a 400', async () => {
    const badName = h.pc.createIndex({ name: 'Bad_Name', dimension: 4, spec: SERVERLESS });
    await expect(badName).rejects.toBeInstanceOf(PineconeBadRequestError);
    await expect(badName).rejects.toThrow(/FV_ERR_INDEX_NAME.*name: string \\"Bad_Name\\" is not a valid index name/);
    await expect(h.pc.createIndex({ name: 'huge', dimension: 20_001, spec: SERVERLESS })).rejects.toThrow(/FV_ERR_INDEX_CONFIG.*dimension: expects a number <= 20000/);
    await expect(h.pc.createIndex({ name: 'eng', dimension: 2, spec: SERVERLESS, tags: { engine: 'fast' } })).rejects.toThrow(
      /tags.engine: got \\"fast\\"; allowed: exact, approximate/,
    );
  });

  it('answers 404 for an unknown index, on both planes', async () => {
    await expect(h.pc.describeIndex('missing')).rejects.toBeInstanceOf(PineconeNotFoundError);
    await expect(h.pc.deleteIndex('missing')).rejects.toBeInstanceOf(PineconeNotFoundError);
    await expect(h.pc.configureIndex({ name: 'missing', deletionProtection: 'enabled' })).rejects.toBeInstanceOf(PineconeNotFoundError);
    const ghost = h.pc.index({ name: 'missing', host: `${h.server.url}/indexes/missing` });
    await expect(ghost.query({ vector: [1, 2], topK: 1 })).rejects.toBeInstanceOf(PineconeNotFoundError);
  });

  it('deletes an index', async () => {
    await h.pc.deleteIndex('waited');
    expect((await h.pc.listIndexes()).indexes?.map((index) => index.name)).not.toContain('waited');
    await expect(h.pc.describeIndex('waited')).rejects.toBeInstanceOf(PineconeNotFoundError);
  });
});
