/**
 * The vector stores on the same data, each beside plain SQL doing the same work on the same
 * PostgreSQL server in the same run — the store's own cost is the ratio to that peer.
 *
 *   npx tsx bench/stores.ts                # 100K × 128: embedded, PostgreSQL and Pinecone stores, with their peers (~15 min)
 *   npx tsx bench/stores.ts --scale 1m     # 1M × 128, PostgreSQL only (the HNSW builds take most of an hour)
 *
 * Options: --n N (records), --exact-queries N (default 50), --queries N (approximate, default 500),
 * --rounds N (over the approximate queries, default 5),
 * --ef 40, --m 16, --ef-construction 64, --skip-embedded, --skip-pinecone, --url postgres://… (default:
 * FACEVAULT_TEST_POSTGRES_URL, else a throwaway cluster from ../shared/tools/postgres-pgvector,
 * else PGlite), --out path (default bench/results/stores-<scale>.json).
 *
 * Data: face-like clusters (bench/lib/synthetic.ts, 10 samples an identity, noise 0.5), cosine.
 * Peers, each on its own table of the same DDL (src/stores/postgres/index-table.ts):
 * - upsert: the same INSERT … SELECT FROM unnest() with the same binary arrays, timed batch by
 *   batch alternately with the store's (so drift in this shared machine's load hits both alike);
 *   and, on its own afterwards, the common way: the same statement with vectors sent as text '[…]'.
 * - exact: a plain `SELECT … ORDER BY embedding <=> $1 LIMIT 10` on the table before any HNSW
 *   index exists (a sequential scan, as the store's), alternating query by query with the store,
 *   through a pg Pool of the store's size.
 * - HNSW build: CREATE INDEX … USING hnsw with the same m and ef_construction, before and after
 *   the store's configureIndex({ engine: 'approximate' }), which runs that statement.
 * - approximate: the same SELECT through a Pool whose sessions start with `hnsw.ef_search` set
 *   (one round trip a query), beside the store's query (one call of its nearest() function:
 *   defaults read from the catalog, settings, the SELECT), alternating, over several rounds; and
 *   the same SELECT on a second such pool against the first, the noise floor of the ratios.
 *   Recall@10 against a brute-force scan in JS.
 * The Pinecone store runs against a facevault server on loopback (the only Pinecone-compatible
 * server here; Pinecone's cloud is a network away), beside its own peer: the official client
 * sending the same records and queries to the same server, alternating. That ratio is the store's
 * own cost — validation, float32 formatting, cutting requests under 2 MB, reading answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pinecone } from '@pinecone-database/pinecone';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/server/logger.js';
import { startServer } from '../src/server/start.js';
import { openEmbeddedStore, type EmbeddedStore } from '../src/stores/embedded-store.js';
import { encodeJsonbArray, encodeTextArray, encodeVector, encodeVectorArray } from '../src/stores/postgres/binary-codec.js';
import { createTableSql, hnswSql, indexTable, type IndexTable } from '../src/stores/postgres/index-table.js';
import { openPineconeStore } from '../src/stores/pinecone/pinecone-store.js';
import { wireValues } from '../src/stores/pinecone/wire-records.js';
import { openPostgresStore } from '../src/stores/postgres/postgres-store.js';
import type { RecordInput, StoreIndex, VectorStore } from '../src/stores/vector-store.js';
import { startTestPostgres, type TestPostgres } from '../tests/helpers/postgres.js';
import { machineFacts, parseArgs, printTable, summarize, writeResult, type LatencySummary, type Row } from './lib/report.js';
import { clusteredVectors, row } from './lib/synthetic.js';
import { at } from '../src/util/checked.js';

const args = parseArgs(process.argv.slice(2));
const SCALE = args.scale === '1m' ? '1m' : '100k';
const N = Number(args.n ?? (SCALE === '1m' ? 1_000_000 : 100_000));
const DIM = 128;
const K = 10;
const BATCH = 1_000;
const EXACT_QUERIES = Number(args['exact-queries'] ?? 50);
const QUERIES = Number(args.queries ?? 500);
/** Rounds over the approximate queries; each side's ratio is the median of the rounds'. */
const ROUNDS = Number(args.rounds ?? 5);
const HNSW = { m: Number(args.m ?? 16), efConstruction: Number(args['ef-construction'] ?? 64), efSearch: Number(args.ef ?? 40) };
const WITH_EMBEDDED = SCALE === '100k' && args['skip-embedded'] !== true;
const WITH_PINECONE = SCALE === '100k' && args['skip-pinecone'] !== true;
const OUT = String(args.out ?? `bench/results/stores-${SCALE}.json`);
const INDEX = 'bench';
const STORE_SCHEMA = 'facevault_bench_store';
const PLAIN_SCHEMA = 'facevault_bench_plain';

const tables: Record<string, Row[]> = {};
const results: Record<string, unknown> = {
  machine: machineFacts(),
  command: `npx tsx bench/stores.ts ${process.argv.slice(2).join(' ')}`.trim(),
  settings: { SCALE, N, DIM, K, BATCH, EXACT_QUERIES, QUERIES, ROUNDS, HNSW, metric: 'cosine' },
};

function table(name: string, entry: Row): void {
  (tables[name] ??= []).push(entry);
}

function ms(start: number): number {
  return performance.now() - start;
}

const ids = Array.from({ length: N }, (_, i) => `face-${i}`);
const metadataOf = (i: number) => ({ subject: `s${Math.floor(i / 10)}` });

function batchRecords(data: Float32Array, first: number): RecordInput[] {
  const records: RecordInput[] = [];
  for (let i = first; i < Math.min(N, first + BATCH); i++) records.push({ id: at(ids, i), values: row(data, DIM, i), metadata: metadataOf(i) });
  return records;
}

// ── plain SQL peers ─────────────────────────────────────────────────────────────────────────────

const UPSERT_SQL = (t: IndexTable, vectorType: string) => `
  INSERT INTO ${t.table} (namespace, id, embedding, metadata)
  SELECT '', u.id, u.embedding, u.metadata FROM unnest($1::text[], $2::${vectorType}[], $3::jsonb[]) AS u(id, embedding, metadata)
  ON CONFLICT (namespace, id) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata`;

async function plainUpsertBinary(client: pg.Client, t: IndexTable, data: Float32Array, first: number, vectorOid: number): Promise<void> {
  const last = Math.min(N, first + BATCH);
  const json = Array.from({ length: last - first }, (_, i) => JSON.stringify(metadataOf(first + i)));
  await client.query(UPSERT_SQL(t, 'vector'), [encodeTextArray(ids.slice(first, last)), encodeVectorArray(data.subarray(first * DIM, last * DIM), DIM, vectorOid), encodeJsonbArray(json)]);
}

/** As most code does it: vectors as text '[0.1,…]' in a text array (node-postgres escapes the arrays). */
async function plainUpsertText(client: pg.Client, t: IndexTable, data: Float32Array, first: number): Promise<void> {
  const last = Math.min(N, first + BATCH);
  const vectors: string[] = [];
  const json: string[] = [];
  for (let i = first; i < last; i++) {
    vectors.push(`[${Array.from(row(data, DIM, i)).join(',')}]`);
    json.push(JSON.stringify(metadataOf(i)));
  }
  await client.query(UPSERT_SQL(t, 'vector'), [ids.slice(first, last), vectors, json]);
}

function plainNearest(client: pg.Pool, t: IndexTable, vector: Float32Array): Promise<pg.QueryResult<{ id: string }>> {
  return client.query(`SELECT id, embedding <=> $1::vector AS distance FROM ${t.table} WHERE namespace = '' ORDER BY embedding <=> $1::vector LIMIT ${K}`, [encodeVector(vector)]);
}

// ── measurement helpers ────────────────────────────────────────────────────────────────────────

/**
 * Times `a` and `b` on each input, alternating which goes first, so load drift hits both alike;
 * `rounds` times over the inputs. `ratio` is the median over rounds of a's p50 to b's: on this
 * shared machine one round's p50 ratio of two identical sides strays by up to ±20 %.
 */
async function alternate<T>(
  inputs: readonly T[],
  a: (input: T) => Promise<string[]>,
  b: (input: T) => Promise<string[]>,
  rounds = 1,
): Promise<{ a: LatencySummary; b: LatencySummary; aIds: string[][]; bIds: string[][]; ratio: number }> {
  const times = { a: [] as number[], b: [] as number[] };
  const found = { a: [] as string[][], b: [] as string[][] };
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const roundTimes = { a: [] as number[], b: [] as number[] };
    const timed = async (side: 'a' | 'b', input: T) => {
      const start = performance.now();
      const result = await (side === 'a' ? a : b)(input);
      roundTimes[side].push(ms(start));
      if (round === 0) found[side].push(result);
    };
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i] as T;
      const [first, second] = i % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
      await timed(first, input);
      await timed(second, input);
    }
    ratios.push(summarize(roundTimes.a).p50 / summarize(roundTimes.b).p50);
    times.a.push(...roundTimes.a);
    times.b.push(...roundTimes.b);
  }
  ratios.sort((x, y) => x - y);
  return { a: summarize(times.a), b: summarize(times.b), aIds: found.a, bIds: found.b, ratio: at(ratios, Math.floor(ratios.length / 2)) };
}

async function timeAll<T>(inputs: readonly T[], fn: (input: T) => Promise<string[]>): Promise<{ latency: LatencySummary; found: string[][] }> {
  const times: number[] = [];
  const found: string[][] = [];
  for (const input of inputs) {
    const start = performance.now();
    found.push(await fn(input));
    times.push(ms(start));
  }
  return { latency: summarize(times), found };
}

function bruteForce(data: Float32Array, query: Float32Array): string[] {
  const scores = new Float32Array(N);
  let qq = 0;
  for (const q of query) qq += q ** 2;
  for (let i = 0; i < N; i++) {
    let dot = 0;
    let xx = 0;
    data.subarray(i * DIM, (i + 1) * DIM).forEach((x, d) => {
      dot += x * at(query, d);
      xx += x * x;
    });
    scores[i] = dot / Math.sqrt(xx * qq);
  }
  const order = Array.from({ length: N }, (_, i) => i).sort((x, y) => at(scores, y) - at(scores, x));
  return order.slice(0, K).map((i) => at(ids, i));
}

function recall(found: readonly string[][], truth: readonly string[][]): number {
  let hits = 0;
  found.forEach((list, q) => {
    const expected = new Set(truth[q]);
    hits += list.filter((id) => expected.has(id)).length;
  });
  return hits / (K * found.length);
}

const idsOf = async (matches: Promise<{ id: string }[]>) => (await matches).map((m) => m.id);

// ── the run ─────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  console.log(`data: ${N.toLocaleString('en-US')} × ${DIM} face-like vectors, ${EXACT_QUERIES} exact and ${QUERIES} approximate queries`);
  const { data, queries: allQueries } = clusteredVectors(N, Math.max(QUERIES, EXACT_QUERIES), DIM, Math.max(1, N / 10), 0.5, 7);
  const queries = Array.from({ length: QUERIES }, (_, i) => row(allQueries, DIM, i));
  const exactQueries = queries.slice(0, EXACT_QUERIES);
  let start = performance.now();
  const truth = queries.map((q) => bruteForce(data, q));
  console.log(`ground truth by brute force in JS: ${(ms(start) / 1000).toFixed(1)} s`);

  const server: TestPostgres = typeof args.url === 'string' ? { url: args.url, kind: 'url', stop: async () => undefined } : await startTestPostgres();
  results.postgres = { kind: server.kind };
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const version = (await admin.query<{ v: string; pgv: string }>(`SELECT current_setting('server_version') AS v, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgv`)).rows[0];
  (results.postgres as Record<string, unknown>).version = version;
  console.log(`PostgreSQL ${version?.v} + pgvector ${version?.pgv} (${server.kind})`);
  await admin.query(`DROP SCHEMA IF EXISTS ${STORE_SCHEMA} CASCADE; DROP SCHEMA IF EXISTS ${PLAIN_SCHEMA} CASCADE; CREATE SCHEMA ${PLAIN_SCHEMA}`);
  const plainBinary = indexTable(PLAIN_SCHEMA, 'binary', '1');
  const plainText = indexTable(PLAIN_SCHEMA, 'text', '2');
  await admin.query(`${createTableSql(plainBinary, DIM)}; ${createTableSql(plainText, DIM)}`);
  const vectorOid = Number((await admin.query<{ oid: string }>(`SELECT 'vector'::regtype::oid::text AS oid`)).rows[0]?.oid);

  const store = await openPostgresStore(server.url, { schema: STORE_SCHEMA, poolSize: 4 });
  await store.createIndex({ name: INDEX, dimension: DIM, metric: 'cosine', engine: 'exact', hnsw: HNSW });
  const pgIndex = await store.openIndex(INDEX);

  // Upsert: the store and the same statement in plain SQL, batch by batch in alternating order;
  // then the text peer on its own (its garbage of number strings would make whichever step came
  // next pay for the collection).
  const upsertMs = { store: 0, binary: 0, text: 0 };
  for (let first = 0, b = 0; first < N; first += BATCH, b++) {
    const records = batchRecords(data, first);
    const steps: [keyof typeof upsertMs, () => Promise<unknown>][] = [
      ['store', () => pgIndex.upsert(records)],
      ['binary', () => plainUpsertBinary(admin, plainBinary, data, first, vectorOid)],
    ];
    for (const [side, step] of b % 2 === 0 ? steps : steps.reverse()) {
      start = performance.now();
      await step();
      upsertMs[side] += ms(start);
    }
  }
  start = performance.now();
  for (let first = 0; first < N; first += BATCH) await plainUpsertText(admin, plainText, data, first);
  upsertMs.text = ms(start);
  const rate = (totalMs: number) => Math.round(N / (totalMs / 1000));
  table('Upsert (batches of 1,000, one statement each)', { what: 'PostgreSQL store', records_per_s: rate(upsertMs.store), vs_plain_sql: upsertMs.binary / upsertMs.store });
  table('Upsert (batches of 1,000, one statement each)', { what: 'plain SQL, same statement, binary arrays (peer)', records_per_s: rate(upsertMs.binary), vs_plain_sql: 1 });
  table('Upsert (batches of 1,000, one statement each)', { what: "plain SQL, vectors as text '[…]' (common peer)", records_per_s: rate(upsertMs.text), vs_plain_sql: upsertMs.binary / upsertMs.text });
  await admin.query(`VACUUM ANALYZE ${plainBinary.table}`);
  await admin.query(`DROP TABLE ${plainText.table}`);
  const storeTableId = (await admin.query<{ id: string }>(`SELECT id FROM ${STORE_SCHEMA}.indexes WHERE name = $1`, [INDEX])).rows[0]?.id as string;
  await admin.query(`VACUUM ANALYZE ${indexTable(STORE_SCHEMA, INDEX, storeTableId).table}`);

  // Queries of plain SQL go through a pool like the store's, its sessions set up once by a
  // startup option (the way an application tunes pgvector for all its connections).
  const peerPool = () => new pg.Pool({ connectionString: server.url, max: 4, options: `-c hnsw.ef_search=${HNSW.efSearch}` });
  const peer = peerPool();
  const plainIds = async (q: Float32Array) => (await plainNearest(peer, plainBinary, q)).rows.map((r) => r.id);

  // Exact: before any HNSW index, store against the plain SELECT.
  const exact = await alternate(exactQueries, (q) => idsOf(pgIndex.query({ vector: q, topK: K, exact: true })), plainIds);
  table('Exact top-10 (sequential scan), ms', { what: 'PostgreSQL store', p50: exact.a.p50, p99: exact.a.p99, recall: recall(exact.aIds, truth), p50_vs_plain_sql: exact.ratio });
  table('Exact top-10 (sequential scan), ms', { what: 'plain SQL SELECT … ORDER BY … LIMIT 10 (peer)', p50: exact.b.p50, p99: exact.b.p99, recall: recall(exact.bIds, truth), p50_vs_plain_sql: 1 });

  // HNSW build, plain / store / plain again (the peer is the mean of its two builds), so that a
  // load that rises or falls during the run weighs on both sides alike.
  const plainBuildOnce = async () => {
    await admin.query(`DROP INDEX IF EXISTS ${PLAIN_SCHEMA}.${plainBinary.hnswIndex}`);
    const begun = performance.now();
    await admin.query(`SET statement_timeout = 0; ${hnswSql(plainBinary, 'cosine', HNSW.m, HNSW.efConstruction)}`);
    return ms(begun);
  };
  const firstPlainBuild = await plainBuildOnce();
  start = performance.now();
  await store.configureIndex(INDEX, { engine: 'approximate' });
  const storeBuild = ms(start);
  const plainBuild = (firstPlainBuild + (await plainBuildOnce())) / 2;
  table('HNSW build, s', { what: 'PostgreSQL store (configureIndex engine approximate)', seconds: storeBuild / 1000, vs_plain_sql: storeBuild / plainBuild });
  table('HNSW build, s', { what: 'plain SQL CREATE INDEX … USING hnsw, mean of a build before and one after (peer)', seconds: plainBuild / 1000, vs_plain_sql: 1 });

  // Approximate: the store's query against one SELECT on sessions with ef_search set; then the
  // same SELECT on a second pool against the first, which shows how far two identical sides stray.
  const approximate = await alternate(queries, (q) => idsOf(pgIndex.query({ vector: q, topK: K, exact: false })), plainIds, ROUNDS);
  const twin = peerPool();
  const noise = await alternate(queries, async (q) => (await plainNearest(twin, plainBinary, q)).rows.map((r) => r.id), plainIds, ROUNDS);
  await Promise.all([peer.end(), twin.end()]);
  const approximateTitle = `Approximate top-10 (HNSW, ef ${HNSW.efSearch}), ms`;
  table(approximateTitle, { what: 'PostgreSQL store', p50: approximate.a.p50, p99: approximate.a.p99, recall: recall(approximate.aIds, truth), p50_vs_plain_sql: approximate.ratio });
  table(approximateTitle, { what: 'plain SQL SELECT, ef_search set on the sessions (peer)', p50: approximate.b.p50, p99: approximate.b.p99, recall: recall(approximate.bIds, truth), p50_vs_plain_sql: 1 });
  table(approximateTitle, { what: 'the same plain SQL on a second pool (noise floor)', p50: noise.a.p50, p99: noise.a.p99, recall: recall(noise.aIds, truth), p50_vs_plain_sql: noise.ratio });

  if (WITH_EMBEDDED) {
    const plain = { upsert: rate(upsertMs.binary), exact: exact.b.p50, build: plainBuild, approximate: approximate.b.p50 };
    await embeddedRows(data, queries, exactQueries, truth, plain, approximateTitle);
  }
  if (WITH_PINECONE) await pineconeRows(data, queries, exactQueries, truth);

  await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${STORE_SCHEMA} CASCADE; DROP SCHEMA IF EXISTS ${PLAIN_SCHEMA} CASCADE`);
  await admin.end();
  await server.stop();

  for (const [title, rows] of Object.entries(tables)) printTable(title, rows);
  // The machine is shared: the load around the run says how far to trust the absolute figures.
  results.loadAverage = { start: loadAtStart, end: loadavg() };
  console.log(`\nload average (1, 5, 15 min): ${loadAtStart.map((x) => x.toFixed(1)).join(', ')} at the start, ${loadavg().map((x) => x.toFixed(1)).join(', ')} at the end`);
  results.tables = tables;
  writeResult(OUT, results);
}

/** The embedded store on the same data, its ratios against the same plain SQL figures. */
async function embeddedRows(
  data: Float32Array,
  queries: Float32Array[],
  exactQueries: Float32Array[],
  truth: string[][],
  plain: { upsert: number; exact: number; build: number; approximate: number },
  approximateTitle: string,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'facevault-bench-stores-'));
  try {
    const store: EmbeddedStore = await openEmbeddedStore(dir);
    const index = await fill(store, data);
    const upsertRate = Math.round(N / (index.ms / 1000));
    table('Upsert (batches of 1,000, one statement each)', { what: 'embedded store', records_per_s: upsertRate, vs_plain_sql: upsertRate / plain.upsert });
    const exact = await timeAll(exactQueries, (q) => idsOf(index.handle.query({ vector: q, topK: K, exact: true })));
    table('Exact top-10 (sequential scan), ms', { what: 'embedded store', p50: exact.latency.p50, p99: exact.latency.p99, recall: recall(exact.found, truth), p50_vs_plain_sql: exact.latency.p50 / plain.exact });
    const start = performance.now();
    await store.configureIndex(INDEX, { engine: 'approximate' });
    await index.handle.query({ vector: queries[0] as Float32Array, topK: K });
    await store.database.index(INDEX).flush();
    const build = ms(start);
    table('HNSW build, s', { what: 'embedded store (usearch graph, background thread)', seconds: build / 1000, vs_plain_sql: build / plain.build });
    const approximate = await timeAll(queries, (q) => idsOf(index.handle.query({ vector: q, topK: K, exact: false })));
    table(approximateTitle, { what: 'embedded store', p50: approximate.latency.p50, p99: approximate.latency.p99, recall: recall(approximate.found, truth), p50_vs_plain_sql: approximate.latency.p50 / plain.approximate });
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Pinecone store through a facevault server on loopback, beside the official client doing the same (see the top of this file). */
async function pineconeRows(data: Float32Array, queries: Float32Array[], exactQueries: Float32Array[], truth: string[][]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'facevault-bench-pinecone-'));
  const key = 'bench-key';
  const server = await startServer(loadConfig({ env: {}, flags: { dataDir: dir, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, apiKeys: [key] } } }), createLogger('warn'));
  try {
    const store = await openPineconeStore(server.url.replace(/^http:/, 'pinecone:'), { apiKey: key });
    const pc = new Pinecone({ apiKey: key, controllerHostUrl: server.url });
    const peerName = `${INDEX}-peer`;
    await store.createIndex({ name: INDEX, dimension: DIM, metric: 'cosine', engine: 'exact', hnsw: HNSW });
    // The official client drops unknown fields, so a facevault server also takes the engine as a tag.
    await pc.createIndex({ name: peerName, dimension: DIM, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } }, tags: { engine: 'exact' } });
    const handle = await store.openIndex(INDEX);
    const { host } = await pc.describeIndex(peerName);
    const peer = (exact: boolean) => pc.index({ name: peerName, host, additionalHeaders: { 'X-Facevault-Exact': String(exact) } });
    const peerIds = async (exact: boolean, q: Float32Array) => (await peer(exact).query({ vector: wireValues(q), topK: K })).matches.map((m) => m.id);
    const title = (what: string) => `Pinecone store over a facevault server on loopback: ${what}`;

    // The peer sends the same 9-digit numbers as the store, prepared outside its timer: the full
    // doubles of 1,000 × 128 float32 values would exceed the server's 2 MiB body limit.
    const upsertMs = { store: 0, client: 0 };
    for (let first = 0, b = 0; first < N; first += BATCH, b++) {
      const records = batchRecords(data, first);
      const wire = records.map((r) => ({ id: r.id, values: wireValues(r.values as Float32Array), ...(r.metadata ? { metadata: r.metadata } : {}) }));
      const steps: [keyof typeof upsertMs, () => Promise<unknown>][] = [
        ['store', () => handle.upsert(records)],
        ['client', () => peer(true).upsert({ records: wire })],
      ];
      for (let s = 0; s < steps.length; s++) {
        const [side, step] = steps[(s + b) % steps.length] as (typeof steps)[number];
        const start = performance.now();
        await step();
        upsertMs[side] += ms(start);
      }
    }
    const rate = (totalMs: number) => Math.round(N / (totalMs / 1000));
    table(title('upsert (batches of 1,000)'), { what: 'Pinecone store', records_per_s: rate(upsertMs.store), vs_client: upsertMs.client / upsertMs.store });
    table(title('upsert (batches of 1,000)'), { what: 'official client, same records (peer)', records_per_s: rate(upsertMs.client), vs_client: 1 });

    const exact = await alternate(exactQueries, (q) => idsOf(handle.query({ vector: q, topK: K, exact: true })), (q) => peerIds(true, q));
    table(title('exact top-10, ms'), { what: 'Pinecone store', p50: exact.a.p50, p99: exact.a.p99, recall: recall(exact.aIds, truth), p50_vs_client: exact.a.p50 / exact.b.p50 });
    table(title('exact top-10, ms'), { what: 'official client, X-Facevault-Exact: true (peer)', p50: exact.b.p50, p99: exact.b.p99, recall: recall(exact.bIds, truth), p50_vs_client: 1 });

    await store.configureIndex(INDEX, { engine: 'approximate' });
    await pc.configureIndex({ name: peerName, tags: { engine: 'approximate' } });
    // Both graphs built before timing: the server's embedded store builds them in the background.
    const backend = server.store as EmbeddedStore;
    await handle.query({ vector: queries[0] as Float32Array, topK: K, exact: false });
    await peerIds(false, queries[0] as Float32Array);
    for (const name of [INDEX, peerName]) await backend.database.index(name).flush();
    const approximate = await alternate(queries, (q) => idsOf(handle.query({ vector: q, topK: K, exact: false })), (q) => peerIds(false, q));
    table(title(`approximate top-10 (HNSW, server's ef), ms`), { what: 'Pinecone store', p50: approximate.a.p50, p99: approximate.a.p99, recall: recall(approximate.aIds, truth), p50_vs_client: approximate.a.p50 / approximate.b.p50 });
    table(title(`approximate top-10 (HNSW, server's ef), ms`), { what: 'official client, X-Facevault-Exact: false (peer)', p50: approximate.b.p50, p99: approximate.b.p99, recall: recall(approximate.bIds, truth), p50_vs_client: 1 });
    await store.close();
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fill(store: VectorStore, data: Float32Array): Promise<{ handle: StoreIndex; ms: number }> {
  await store.createIndex({ name: INDEX, dimension: DIM, metric: 'cosine', engine: 'exact', hnsw: HNSW });
  const handle = await store.openIndex(INDEX);
  const start = performance.now();
  for (let first = 0; first < N; first += BATCH) await handle.upsert(batchRecords(data, first));
  return { handle, ms: ms(start) };
}

await main();
