/**
 * Property-based fuzzing of every route's input (issue 12): arbitrary JSON, near-valid bodies
 * with hostile values (huge or non-finite numbers, unicode and over-long ids, deep metadata,
 * filters of any shape), arbitrary query strings and raw bytes. The property: the server answers
 * every request with a status below 500, in the route family's error shape when it refuses, and
 * stays consistent (exact and approximate answers agree, stats match the records fetched).
 *
 * Deterministic in CI (a fixed seed); `FACEVAULT_FUZZ_SEED` and `FACEVAULT_FUZZ_RUNS` change the
 * seed and the number of cases per property (`npm run test:stress` runs many more).
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { EmbeddedStore } from '../../src/stores/embedded-store.js';
import { openDatabase, type Database } from '../../src/vector/database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const KEY = 'fuzz-key-0c41';
const RUNS = Number(process.env.FACEVAULT_FUZZ_RUNS ?? 120);
const SEED = Number(process.env.FACEVAULT_FUZZ_SEED ?? 20261205);
const DIMENSION = 4;
const PARAMETERS = { numRuns: RUNS, seed: SEED, endOnFailure: true } as const;

let tmp: ReturnType<typeof makeTempDir>;
let database: Database;
let app: FastifyInstance;

beforeAll(async () => {
  tmp = makeTempDir('facevault-fuzz-');
  database = await openDatabase(tmp.dir);
  const config = loadConfig({ env: {}, flags: { server: { apiKeys: [KEY] } } }).server;
  app = await buildApp({ config, store: new EmbeddedStore(database, 'exact'), logger: createLogger('silent') });
  for (const [name, metric] of [['fz-cos', 'cosine'], ['fz-euc', 'euclidean'], ['fz-dot', 'dotproduct']] as const) {
    await database.createIndex({ name, dimension: DIMENSION, metric, engine: name === 'fz-euc' ? 'approximate' : 'exact' });
    await database.index(name).upsert({
      records: Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, values: [Math.sin(i), Math.cos(i), i % 3, 1 + (i % 7)], metadata: { subject: `s${i % 5}`, n: i, tags: [`t${i % 2}`] } })),
    });
  }
}, 120_000);
afterAll(async () => {
  await app?.close();
  await database?.close();
  tmp?.cleanup();
});

// ── arbitraries ──────────────────────────────────────────────────────────────────────────────

/** Numbers as JSON carries them, with the edges: 17-digit doubles, huge, tiny, negative zero. */
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 3.4028235e38, 3.4028236e38, 0.1 + 0.2, Number.MAX_SAFE_INTEGER),
  fc.integer(),
);
/** What a client may put where a number belongs. */
const looseNumber = fc.oneof({ weight: 6, arbitrary: number }, fc.constant(null), fc.string({ maxLength: 4 }), fc.boolean());
const values = fc.oneof(
  { weight: 4, arbitrary: fc.array(number, { minLength: DIMENSION, maxLength: DIMENSION }) },
  fc.array(looseNumber, { maxLength: 8 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const id = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ minLength: 500, maxLength: 700 }),
  fc.constantFrom('', '\u0000', '\ud800', 'r1', 'r2'),
  fc.jsonValue({ maxDepth: 1 }),
);
const metadata = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 16 }), number, fc.boolean(), fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }))) },
  fc.jsonValue({ maxDepth: 4 }),
);
const operator = fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$and', '$or', '$not', '$regex', 'subject', 'n');
const filter = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }),
    fc.dictionary(operator, fc.oneof(tie('leaf'), tie('node')), { maxKeys: 3 }),
    fc.array(tie('node'), { maxLength: 3 }),
  ),
  leaf: fc.oneof(number, fc.string({ maxLength: 6 }), fc.boolean(), fc.array(fc.oneof(number, fc.string({ maxLength: 4 })), { maxLength: 4 }), fc.constant(null)),
})).node;
const namespace = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('', '__default__', 'a', 'b') }, fc.string({ maxLength: 600 }), fc.jsonValue({ maxDepth: 1 }));
const flag = fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 0 }));
const topK = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constantFrom(0, 1000, 1001, 10_000, 10_001, 1.5), fc.jsonValue({ maxDepth: 0 }));
const index = fc.constantFrom('fz-cos', 'fz-euc', 'fz-dot', 'missing-index', 'BAD NAME', '%2e%2e');

/** A record as a client may send it: mostly well formed, any field possibly hostile or absent. */
const record = fc.record({ id, values, metadata, sparseValues: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] });

/** A body near what the route expects, or arbitrary JSON. */
function body<T>(nearValid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: nearValid }, fc.jsonValue({ maxDepth: 3 }));
}

// ── the property ─────────────────────────────────────────────────────────────────────────────

async function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, contentType = 'application/json'): Promise<void> {
  const response = await app.inject({
    method,
    url,
    headers: { 'api-key': KEY, ...(payload === undefined ? {} : { 'content-type': contentType }) },
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload) }),
  });
  const described = `${method} ${url} → ${response.statusCode} ${response.body.slice(0, 300)}`;
  expect(response.statusCode, described).toBeLessThan(500);
  if (response.statusCode >= 400) {
    const answer = response.json() as Record<string, unknown>;
    // Pinecone's shape ({ error: { code, message } }) or DeepFace's ({ error: "…" }).
    expect(answer.error ?? answer.message, described).toBeDefined();
  }
}

const dataPlane = (name: string) => `/indexes/${encodeURIComponent(name)}`;
const query = (params: Record<string, unknown>) =>
  Object.entries(params)
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => `${key}=${encodeURIComponent(String(v))}`) : [`${key}=${encodeURIComponent(String(value))}`]))
    .join('&');

describe('what fuzzing found', () => {
  it('a namespace named after an Object.prototype member is an ordinary namespace (was 500)', async () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const described = await app.inject({ url: `/indexes/fz-cos/namespaces/${name}`, headers: { 'api-key': KEY } });
      expect(described.statusCode, name).toBe(404);
    }
    await database.index('fz-cos').upsert({ namespace: '__proto__', records: [{ id: '__proto__', values: [1, 2, 3, 4], metadata: { constructor: 'x' } }] });
    const described = await app.inject({ url: '/indexes/fz-cos/namespaces/__proto__', headers: { 'api-key': KEY } });
    expect(described.json()).toMatchObject({ name: '__proto__', record_count: 1 });
    const fetched = await database.index('fz-cos').fetch({ ids: ['__proto__'], namespace: '__proto__' });
    expect(Object.keys(fetched.records)).toEqual(['__proto__']);
    expect((await database.index('fz-cos').describeIndexStats()).namespaces.__proto__).toEqual({ recordCount: 1 });
    await database.index('fz-cos').deleteNamespace('__proto__');
  });

  it('keeps metadata keys named constructor and toString, and refuses a __proto__ key with 400 (fastify\'s prototype-poisoning guard)', async () => {
    const headers = { 'api-key': KEY, 'content-type': 'application/json' };
    const body = (metadata: string) => `{"vectors":[{"id":"proto","values":[1,2,3,4],"metadata":${metadata}}],"namespace":"proto-keys"}`;
    expect((await app.inject({ method: 'POST', url: '/indexes/fz-cos/vectors/upsert', headers, payload: body('{"constructor":"c","toString":"t"}') })).statusCode).toBe(200);
    const fetched = await app.inject({ url: '/indexes/fz-cos/vectors/fetch?ids=proto&namespace=proto-keys', headers: { 'api-key': KEY } });
    expect(fetched.body).toContain('"metadata":{"constructor":"c","toString":"t"}');
    expect((await app.inject({ method: 'POST', url: '/indexes/fz-cos/vectors/upsert', headers, payload: body('{"__proto__":"p"}') })).statusCode).toBe(400);
    const form = await app.inject({ method: 'POST', url: '/represent', headers: { 'api-key': KEY, 'content-type': 'application/x-www-form-urlencoded' }, payload: '__proto__=x&constructor=y' });
    expect(form.statusCode).toBe(400);
    expect(form.body).not.toContain('given twice');
    await database.index('fz-cos').deleteNamespace('proto-keys');
  });

  it('a schema error on a field named after an Object.prototype member answers 400 (was no answer at all)', async () => {
    const routes = ['/indexes', '/indexes/fz-cos/query', '/indexes/fz-cos/vectors/upsert', '/indexes/fz-cos/vectors/update', '/represent', '/verify', '/search', '/register', '/analyze'];
    for (const url of routes) {
      for (const field of ['constructor', 'toString', 'valueOf']) {
        for (const [type, payload] of [['application/json', JSON.stringify({ [field]: 1 })], ['application/x-www-form-urlencoded', `${field}=1`]] as const) {
          const response = await app.inject({ method: 'POST', url, headers: { 'api-key': KEY, 'content-type': type }, payload });
          expect(response.statusCode, `${url} ${type} ${field}`).toBeGreaterThanOrEqual(400);
          expect(response.statusCode, `${url} ${type} ${field}`).toBeLessThan(500);
        }
      }
    }
  });
});

describe('every route answers arbitrary input with a 2xx or a typed 4xx, never a 5xx', () => {
  it('upsert', async () => {
    const batch = fc.record({ vectors: fc.array(record, { maxLength: 12 }), namespace }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(index, body(batch), async (name, payload) => send('POST', `${dataPlane(name)}/vectors/upsert`, payload)), PARAMETERS);
  });

  it('query', async () => {
    const request = fc.record({ vector: values, id, topK, filter, includeValues: flag, includeMetadata: flag, namespace, exact: flag, sparseVector: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(index, body(request), async (name, payload) => send('POST', `${dataPlane(name)}/query`, payload)), PARAMETERS);
  });

  it('update, delete, fetch by metadata and stats', async () => {
    const update = fc.record({ id, values, setMetadata: metadata, filter, namespace, dryRun: flag }, { requiredKeys: [] });
    const remove = fc.record({ ids: fc.array(id, { maxLength: 5 }), filter, deleteAll: flag, namespace }, { requiredKeys: [] });
    const byMetadata = fc.record({ filter, limit: topK, paginationToken: fc.string({ maxLength: 30 }), namespace }, { requiredKeys: [] });
    const stats = fc.record({ filter }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(index, body(update), body(remove), body(byMetadata), body(stats), async (name, u, d, m, s) => {
        await send('POST', `${dataPlane(name)}/vectors/update`, u);
        // Deletes land in a scratch namespace, so the records the other properties rely on stay.
        await send('POST', `${dataPlane(name)}/vectors/delete`, typeof d === 'object' && d !== null && !Array.isArray(d) ? { ...d, namespace: 'scratch' } : d);
        await send('POST', `${dataPlane(name)}/vectors/fetch_by_metadata`, m);
        await send('POST', `${dataPlane(name)}/describe_index_stats`, s);
      }),
      PARAMETERS,
    );
  });

  it('fetch, list and namespaces by query string and path', async () => {
    const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('', '%', '%zz', '\u0000'));
    await fc.assert(
      fc.asyncProperty(index, fc.array(text, { maxLength: 6 }), text, text, text, async (name, ids, ns, prefix, limit) => {
        await send('GET', `${dataPlane(name)}/vectors/fetch?${query({ ids, namespace: ns })}`);
        await send('GET', `${dataPlane(name)}/vectors/list?${query({ prefix, limit, namespace: ns, paginationToken: prefix })}`);
        await send('GET', `${dataPlane(name)}/namespaces?${query({ limit, paginationToken: prefix })}`);
        await send('GET', `${dataPlane(name)}/namespaces/${encodeURIComponent(ns)}`);
      }),
      PARAMETERS,
    );
  });

  it('the control plane', async () => {
    const create = fc.record(
      {
        name: fc.oneof(fc.constantFrom('fz-new', 'fz-cos', 'UPPER', ''), fc.string({ maxLength: 60 })),
        dimension: fc.oneof(fc.integer({ min: -2, max: 30_000 }), fc.jsonValue({ maxDepth: 0 })),
        metric: fc.oneof(fc.constantFrom('cosine', 'euclidean', 'dotproduct', 'hamming'), fc.jsonValue({ maxDepth: 0 })),
        spec: fc.jsonValue({ maxDepth: 3 }),
        deployment: fc.jsonValue({ maxDepth: 3 }),
        schema: fc.jsonValue({ maxDepth: 3 }),
        tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 25 }), fc.jsonValue({ maxDepth: 2 })),
        deletion_protection: fc.oneof(fc.constantFrom('enabled', 'disabled'), fc.jsonValue({ maxDepth: 0 })),
        engine: fc.oneof(fc.constantFrom('exact', 'approximate'), fc.jsonValue({ maxDepth: 0 })),
      },
      { requiredKeys: [] },
    );
    const versions = fc.constantFrom(undefined, '2026-04', '2026-07', '2025-01', 'garbage');
    await fc.assert(
      fc.asyncProperty(body(create), versions, async (payload, version) => {
        const response = await app.inject({
          method: 'POST',
          url: '/indexes',
          headers: { 'api-key': KEY, 'content-type': 'application/json', ...(version ? { 'x-pinecone-api-version': version } : {}) },
          payload: JSON.stringify(payload),
        });
        expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
        await send('PATCH', '/indexes/fz-new', payload);
        await app.inject({ method: 'DELETE', url: '/indexes/fz-new', headers: { 'api-key': KEY } });
      }),
      PARAMETERS,
    );
  });

  it('malformed bodies: raw bytes under every content type', async () => {
    const raw = fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)), fc.constantFrom('{', '{"vectors":[{"id":"a","values":[1,2,3,', '[]', 'null', '{"vectors":1e999}'));
    const route = fc.constantFrom('/indexes/fz-cos/vectors/upsert', '/indexes/fz-cos/query', '/indexes', '/represent', '/verify', '/search', '/register', '/analyze');
    const type = fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', 'multipart/form-data', 'application/x-www-form-urlencoded', 'application/octet-stream');
    await fc.assert(fc.asyncProperty(route, raw, type, async (url, payload, contentType) => send('POST', url, payload, contentType)), PARAMETERS);
  });

  it('face and gallery routes, without images that decode', async () => {
    const face = fc.record(
      {
        img: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('data:image/jpeg;base64,AAAA', 'data:image/png;base64,', '/etc/passwd', '../../x.jpg', 'http://169.254.169.254/latest'), fc.array(number, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
        img1: fc.oneof(fc.string({ maxLength: 20 }), fc.array(number, { maxLength: 600 })),
        img2: fc.oneof(fc.string({ maxLength: 20 }), fc.array(looseNumber, { maxLength: 8 })),
        model_name: fc.oneof(fc.constantFrom('ArcFace', 'Dlib', 'VGG-Face', 'Facenet512', ''), fc.jsonValue({ maxDepth: 0 })),
        detector_backend: fc.oneof(fc.constantFrom('retinaface', 'opencv', 'skip', 'bogus'), fc.jsonValue({ maxDepth: 0 })),
        distance_metric: fc.oneof(fc.constantFrom('cosine', 'euclidean', 'euclidean_l2', 'angular', 'manhattan'), fc.jsonValue({ maxDepth: 0 })),
        enforce_detection: flag,
        align: flag,
        anti_spoofing: flag,
        max_faces: fc.oneof(fc.integer({ min: -3, max: 5 }), fc.jsonValue({ maxDepth: 0 })),
        expand_percentage: fc.oneof(fc.integer({ min: -50, max: 500 }), fc.jsonValue({ maxDepth: 0 })),
        actions: fc.oneof(fc.array(fc.constantFrom('age', 'gender', 'emotion', 'race', 'x'), { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
        img_name: fc.jsonValue({ maxDepth: 0 }),
        database_type: fc.jsonValue({ maxDepth: 0 }),
        k: topK,
      },
      { requiredKeys: [] },
    );
    const faceRoute = fc.constantFrom('/represent', '/verify', '/analyze', '/search', '/register', '/build/index');
    const gallery = fc.oneof(fc.constantFrom('default', 'people', ''), fc.string({ maxLength: 30 }));
    const subject = fc.oneof(fc.constantFrom('s1', 'nobody'), fc.string({ maxLength: 30 }));
    await fc.assert(
      fc.asyncProperty(faceRoute, body(face), gallery, subject, async (url, payload, g, s) => {
        await send('POST', url, payload);
        await send('GET', `/galleries/${encodeURIComponent(g)}/subjects`);
        await send('PATCH', `/galleries/${encodeURIComponent(g)}/subjects/${encodeURIComponent(s)}`, payload);
        await send('POST', `/galleries/${encodeURIComponent(g)}/verify`, payload);
        await send('GET', `/galleries/${encodeURIComponent(g)}/records/${encodeURIComponent(s)}`);
      }),
      { ...PARAMETERS, numRuns: Math.max(1, Math.round(RUNS / 3)) },
    );
  });
});

describe('after the fuzzing', () => {
  it('still answers, and exact and approximate agree on what the indexes hold', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    for (const name of ['fz-cos', 'fz-euc', 'fz-dot']) {
      const stats = await database.index(name).describeIndexStats();
      const namespaceName = '';
      const held = stats.namespaces[namespaceName]?.recordCount ?? 0;
      if (held === 0) continue;
      const probe = [0.3, -0.2, 1, 2];
      const exact = await database.index(name).query({ vector: probe, topK: held, exact: true });
      const approximate = await database.index(name).query({ vector: probe, topK: held, exact: false });
      expect(exact.matches).toHaveLength(held);
      expect(new Set(approximate.matches.map((m) => m.id))).toEqual(new Set(exact.matches.map((m) => m.id)));
    }
  });
});
