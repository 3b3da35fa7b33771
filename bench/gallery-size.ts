/**
 * What identify pays for the gallery's size on PostgreSQL (issue 15 follow-up): the size feeds the
 * FPIR threshold, and on a remote store it is a count over the index's table. A gallery of
 * `--rows` synthetic 512-d faces (default 1,000,000) in an exact index of the store's own table;
 * then, taking turns, the count identify made on every call before (`Gallery.faceCount`, the peer)
 * and the size it reads now (`Gallery.recentFaceCount`, counted at most once per 10 s).
 *
 *   npx tsx bench/gallery-size.ts [--rows 1000000] [--calls 10] [--url postgres://…]
 *     # without --url: FACEVAULT_TEST_POSTGRES_URL, else a throwaway cluster (../shared/tools/postgres-pgvector)
 *
 * Writes bench/results/gallery-size.json (--out PATH for another).
 */
import pg from 'pg';
import { Gallery, galleryIndexName } from '../src/recognition/gallery.js';
import { openPostgresStore } from '../src/stores/postgres/postgres-store.js';
import { startTestPostgres, type TestPostgres } from '../tests/helpers/postgres.js';
import { machineFacts, parseArgs, printTable, summarize, writeResult } from './lib/report.js';
import { uniformVectors } from './lib/synthetic.js';

const args = parseArgs(process.argv.slice(2));
const ROWS = Number(args.rows ?? 1_000_000);
const CALLS = Number(args.calls ?? 10);
const DIM = 512;
const OUT = String(args.out ?? 'bench/results/gallery-size.json');
const SCHEMA = 'facevault_gallery_size_bench';

const server: TestPostgres = typeof args.url === 'string' ? { url: args.url, kind: 'url', stop: async () => undefined } : await startTestPostgres();
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
const store = await openPostgresStore(server.url, { schema: SCHEMA, poolSize: 4 });
try {
  // An exact index, so that filling it builds no HNSW graph; the gallery then opens it as it is.
  await store.createIndex({ name: galleryIndexName('faceplugin-arcface'), dimension: DIM, metric: 'cosine', engine: 'exact' });
  const gallery = await Gallery.open({ store });
  const batch = uniformVectors(1_000, DIM, 3);
  const started = performance.now();
  for (let first = 0; first < ROWS; first += 1_000) {
    const records = Array.from({ length: Math.min(1_000, ROWS - first) }, (_, k) => ({
      id: `face-${first + k}`,
      values: batch.subarray(k * DIM, (k + 1) * DIM),
      metadata: { subject: `person-${(first + k) % 50_000}` },
    }));
    await gallery.storeIndex.upsert(records, { namespace: gallery.name });
  }
  console.log(`${ROWS} faces in ${((performance.now() - started) / 1000).toFixed(0)} s (${server.kind})`);

  const times = { count: [] as number[], recent: [] as number[] };
  for (let call = 0; call < CALLS; call++) {
    for (const [name, read] of [['count', () => gallery.faceCount()], ['recent', () => gallery.recentFaceCount()]] as const) {
      const start = performance.now();
      const size = await read();
      times[name].push(performance.now() - start);
      if (size !== ROWS) throw new Error(`${name} read ${size} faces, expected ${ROWS}`);
    }
  }
  const rows = [
    { read: 'count on every identify (before; the peer)', p50_ms: summarize(times.count).p50, max_ms: Math.max(...times.count) },
    { read: 'size read by identify now (one count, then kept ≤ 10 s)', p50_ms: summarize(times.recent).p50, max_ms: Math.max(...times.recent) },
  ];
  printTable(`The gallery's size on PostgreSQL, ${ROWS.toLocaleString('en')} faces × ${DIM}-d, ${CALLS} calls each, taking turns`, rows);
  writeResult(OUT, { machine: machineFacts(), command: `npx tsx bench/gallery-size.ts ${process.argv.slice(2).join(' ')}`.trim(), postgres: server.kind, rows: ROWS, calls: CALLS, times, table: rows });
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
  await server.stop();
}
