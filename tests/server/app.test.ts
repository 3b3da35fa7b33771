/** What the official client cannot send or see, through fastify.inject: missing keys, malformed bodies, metrics, OpenAPI, health. */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { EmbeddedStore } from '../../src/stores/embedded-store.js';
import type { VectorStore } from '../../src/stores/vector-store.js';
import { openDatabase, type Database } from '../../src/vector/database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const KEY = 'inject-key-51d0';
const auth = { 'api-key': KEY };

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const config = loadConfig({ env: {}, flags: { server: { apiKeys: [KEY, 'second-key'] } } }).server;
let tmp: ReturnType<typeof makeTempDir>;
let database: Database;
let app: FastifyInstance;
let log: ReturnType<typeof capture>;

beforeAll(async () => {
  tmp = makeTempDir('facevault-inject-');
  database = await openDatabase(tmp.dir);
  log = capture();
  app = await buildApp({ config, store: new EmbeddedStore(database, 'exact'), logger: createLogger('info', log.stream) });
  await database.createIndex({ name: 'small', dimension: 2, metric: 'euclidean' });
  await database.index('small').upsert({ records: [{ id: 'p', values: [1, 2] }, { id: 'q', values: [3, 4] }] });
});
afterAll(async () => {
  await app.close();
  await database.close();
  tmp.cleanup();
});

describe('auth', () => {
  it('serves /healthz without a key', async () => {
    const response = await app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers 401 in Pinecone\'s error shape without a key, and with a wrong one', async () => {
    const missing = await app.inject({ url: '/indexes' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ error: { code: 'FV_ERR_UNAUTHORIZED', message: 'Missing API key: send it in the Api-Key header' }, status: 401 });
    const wrong = await app.inject({ url: '/indexes', headers: { 'api-key': `${KEY}x` } });
    expect(wrong.json()).toMatchObject({ error: { code: 'FV_ERR_UNAUTHORIZED', message: 'Wrong API key' }, status: 401 });
    // also for routes that do not exist: nothing is revealed before the key is checked
    expect((await app.inject({ url: '/nothing-here' })).statusCode).toBe(401);
  });

  it('accepts every configured key, in Api-Key or as a bearer token', async () => {
    expect((await app.inject({ url: '/indexes', headers: { 'api-key': 'second-key' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/indexes', headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(200);
  });

  it('refuses to build an open server when auth is on but no key is configured', async () => {
    await expect(buildApp({ config: { ...config, apiKeys: [] }, store: new EmbeddedStore(database, 'exact'), logger: createLogger('silent') })).rejects.toThrow(/auth is on but no API key is configured/);
  });

  it('never writes a key to the log', async () => {
    await app.inject({ url: '/indexes', headers: { 'api-key': 'leaked-if-logged' } });
    const logger = createLogger('info', log.stream);
    logger.info({ req: { headers: { 'api-key': 'leaked-if-logged', authorization: 'Bearer leaked-if-logged' } }, apiKeys: ['leaked-if-logged'] }, 'headers');
    const text = JSON.stringify(log.lines());
    expect(text).not.toContain('leaked-if-logged');
    expect(text).not.toContain(KEY);
    expect(text).toContain('[redacted]');
  });
});

describe('requests the schema refuses', () => {
  const query = (payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/indexes/small/query', payload, headers: { ...auth, 'content-type': 'application/json', ...headers } });

  it.each([
    ['malformed JSON', '{"topK": 1,', 'FV_ERR_INVALID_ARGUMENT', 'body: is not valid JSON'],
    ['an empty body', '', 'FV_ERR_INVALID_ARGUMENT', 'body: is empty but Content-Type says application/json'],
    ['an unknown field', '{"topK":1,"vector":[1,2],"topk":3}', 'FV_ERR_INVALID_ARGUMENT', 'topk: is not a known field'],
    ['a missing field', '{"vector":[1,2]}', 'FV_ERR_TOP_K', 'topK: is required'],
    ['a string where a number is due (no coercion)', '{"topK":"1","vector":[1,2]}', 'FV_ERR_TOP_K', 'topK: expects an integer'],
    ['a null inside the vector (NaN serialised by JSON.stringify)', '{"topK":1,"vector":[1,null]}', 'FV_ERR_INVALID_ARGUMENT', 'vector[1]: expects a number'],
  ])('%s → 400 naming the field', async (_case, payload, code, message) => {
    const response = await query(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code, message }, status: 400 });
  });

  it('checks the X-Facevault-Exact header', async () => {
    const response = await query('{"topK":1,"vector":[1,2]}', { 'x-facevault-exact': 'yes' });
    expect(response.json()).toMatchObject({ error: { message: 'headers x-facevault-exact: expects one of: true, false' }, status: 400 });
    expect((await query('{"topK":1,"vector":[1,2],"exact":true}', { 'x-facevault-exact': 'false' })).json().matches).toEqual([{ id: 'p', score: 0 }]);
  });

  it('coerces query strings by their schema: one id is a list of one, a limit is a number', async () => {
    expect((await app.inject({ url: '/indexes/small/vectors/fetch?ids=p', headers: auth })).json().vectors.p.values).toEqual([1, 2]);
    expect((await app.inject({ url: '/indexes/small/vectors/list?limit=1', headers: auth })).json().vectors).toEqual([{ id: 'p' }]);
    const bad = await app.inject({ url: '/indexes/small/vectors/list?limit=many', headers: auth });
    expect(bad.json()).toMatchObject({ error: { code: 'FV_ERR_INVALID_ARGUMENT', message: 'querystring limit: expects an integer' } });
  });

  it('answers 400 in Pinecone\'s shape for a path the router cannot decode', async () => {
    const response = await app.inject({ url: '/indexes/small/namespaces/%E0%A4%A', headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'FV_ERR_INVALID_ARGUMENT', message: 'path: is not a valid URL (malformed percent-encoding)' }, status: 400 });
  });

  it('answers 404 in Pinecone\'s shape for an unknown route', async () => {
    const response = await app.inject({ method: 'POST', url: '/indexes/small/vectors/frobnicate', headers: auth });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'FV_ERR_ROUTE_NOT_FOUND', message: 'No route for POST /indexes/small/vectors/frobnicate' }, status: 404 });
  });

  it('logs 4xx at info', () => {
    const refused = log.lines().filter((line) => line.code === 'FV_ERR_TOP_K');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((line) => line.level === 30)).toBe(true);
  });
});

describe('update with dryRun (API 2026-04; the official client does not send it)', () => {
  const update = (payload: object) => app.inject({ method: 'POST', url: '/indexes/dry/vectors/update', payload, headers: auth });

  it('counts what an update would change and changes nothing', async () => {
    await database.createIndex({ name: 'dry', dimension: 2, metric: 'euclidean' });
    await database.index('dry').upsert({ records: [{ id: 'p', values: [1, 2] }] });
    await database.index('dry').namespace('dry').upsert({
      records: [
        { id: 'd1', values: [1, 1], metadata: { tone: 'warm' } },
        { id: 'd2', values: [2, 2], metadata: { tone: 'warm' } },
        { id: 'd3', values: [3, 3], metadata: { tone: 'cold' } },
      ],
    });
    expect((await update({ filter: { tone: 'warm' }, setMetadata: { tone: 'hot' }, namespace: 'dry', dryRun: true })).json()).toEqual({ matchedRecords: 2 });
    expect((await update({ id: 'd3', values: [0, 0], namespace: 'dry', dryRun: true })).json()).toEqual({ matchedRecords: 1 });
    expect((await update({ id: 'nope', values: [0, 0], namespace: 'dry', dryRun: true })).json()).toEqual({ matchedRecords: 0 });
    expect((await update({ id: 'p', values: [0, 0], dryRun: true })).json()).toEqual({ matchedRecords: 1 });
    const { records } = await database.index('dry').namespace('dry').fetch({ ids: ['d1', 'd3'] });
    expect([records.d1?.metadata, records.d3?.values]).toEqual([{ tone: 'warm' }, [3, 3]]);
    expect((await database.index('dry').fetch({ ids: ['p'] })).records.p?.values).toEqual([1, 2]);
  });

  it('needs exactly one of id and filter', async () => {
    const response = await update({ setMetadata: { a: 'b' }, dryRun: true });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'FV_ERR_INVALID_ARGUMENT', message: 'body: give exactly one of id and filter' } });
  });
});

describe('/metrics', () => {
  it('exposes request counts and latencies per route and status, and records per index', async () => {
    await app.inject({ method: 'POST', url: '/indexes/small/query', payload: { topK: 1, vector: [0, 0] }, headers: auth });
    const response = await app.inject({ url: '/metrics', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = response.body;
    expect(text).toMatch(/^facevault_http_requests_total\{method="POST",route="\/indexes\/:indexName\/query",status="200"\} \d+$/m);
    expect(text).toMatch(/^facevault_http_requests_total\{method="GET",route="\/indexes",status="401"\} \d+$/m);
    expect(text).toMatch(/^facevault_http_request_duration_seconds_bucket\{method="POST",route="\/indexes\/:indexName\/query",status="200",le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^facevault_http_request_duration_seconds_count\{method="POST",route="\/indexes\/:indexName\/query",status="200"\} \d+$/m);
    expect(text).toContain('facevault_index_records{index="small"} 2\n');
    expect(text).toContain('# TYPE facevault_http_request_duration_seconds histogram');
  });

  it('reports the event-loop delay since the previous scrape, and sees a blocked loop', async () => {
    await app.inject({ url: '/metrics', headers: auth });
    const blockedUntil = Date.now() + 120;
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        while (Date.now() < blockedUntil); // a synchronous stall, as a long scan on the main thread would be
        resolve();
      }, 20),
    );
    // The monitor records a stall when its own (late) sampling timer fires.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const text = (await app.inject({ url: '/metrics', headers: auth })).body;
    const max = Number(/^facevault_event_loop_delay_seconds\{quantile="1"\} (\S+)$/m.exec(text)?.[1]);
    expect(max).toBeGreaterThan(0.05);
    expect(text).toMatch(/^facevault_event_loop_delay_seconds\{quantile="0.99"\} \S+$/m);
  });
});

describe('/openapi.json', () => {
  it('describes every route from its schema', async () => {
    const response = await app.inject({ url: '/openapi.json', headers: auth });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/indexes',
        '/indexes/{indexName}',
        '/indexes/{indexName}/describe_index_stats',
        '/indexes/{indexName}/namespaces',
        '/indexes/{indexName}/namespaces/{namespace}',
        '/indexes/{indexName}/query',
        '/indexes/{indexName}/vectors/delete',
        '/indexes/{indexName}/vectors/fetch',
        '/indexes/{indexName}/vectors/fetch_by_metadata',
        '/indexes/{indexName}/vectors/list',
        '/indexes/{indexName}/vectors/update',
        '/indexes/{indexName}/vectors/upsert',
        '/metrics',
        '/openapi.json',
      ]),
    );
    const operationIds = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((path) => Object.values(path).map((op) => op.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);
    // Pinecone routes facevault does not serve are documented as such, with the error they answer
    expect(doc.paths['/indexes/{indexName}/bulk/imports'].post).toMatchObject({ summary: 'Not supported: bulk import from object storage', tags: ['not supported'] });
    expect(doc.paths['/indexes/{indexName}/namespaces'].post.description).toMatch(/^Answers 400 FV_ERR_UNSUPPORTED: /);
    expect(Object.keys(doc.paths['/indexes/{indexName}']).sort()).toEqual(['delete', 'get', 'patch']);
    const query = doc.paths['/indexes/{indexName}/query'].post;
    expect(query.requestBody.content['application/json'].schema.properties.topK).toMatchObject({ type: 'integer', minimum: 1, maximum: 10000 });
    expect(query.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:indexName', 'header:x-facevault-exact']);
    expect(query.responses['200'].content['application/json'].schema.properties.matches.type).toBe('array');
    expect(doc.paths['/indexes/{indexName}/vectors/fetch'].get.parameters.find((p: { name: string }) => p.name === 'ids')).toMatchObject({ in: 'query', required: true, schema: { type: 'array', maxItems: 1000 } });
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.components.securitySchemes.ApiKeyAuth).toEqual({ type: 'apiKey', in: 'header', name: 'Api-Key' });
  });
});

describe('unexpected failures', () => {
  it('answer 500 FV_ERR_INTERNAL without the cause, which is logged at error', async () => {
    const failing = { kind: 'broken', listIndexes: () => Promise.reject(new TypeError('secret internals at /srv/x.ts:1')) } as unknown as VectorStore;
    const failingLog = capture();
    const broken = await buildApp({ config, store: failing, logger: createLogger('info', failingLog.stream) });
    const response = await broken.inject({ url: '/indexes', headers: auth });
    await broken.close();
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ error: { code: 'FV_ERR_INTERNAL', message: expect.stringMatching(/^An unexpected internal error\. The server log has the details of request req-/) }, status: 500 });
    expect(response.body).not.toContain('secret internals');
    const logged = failingLog.lines().find((line) => line.level === 50) as { err: { stack: string } };
    expect(logged.err.stack).toContain('secret internals');
  });
});

describe('coded 5xx', () => {
  it('keep their code but not their message, which may name server paths', async () => {
    const closedDir = makeTempDir('facevault-closed-');
    const closed = await openDatabase(closedDir.dir);
    const closedApp = await buildApp({ config, store: new EmbeddedStore(closed, 'exact'), logger: createLogger('silent') });
    await closed.close();
    const response = await closedApp.inject({ url: '/indexes', headers: auth });
    await closedApp.close();
    closedDir.cleanup();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: 'FV_ERR_CLOSED', message: expect.stringMatching(/^The database or model was used after it was closed\. /) }, status: 503 });
    expect(response.body).not.toContain(closedDir.dir);
  });
});
