/**
 * The HTTP server against its targets (../shared/docs/targets.md), measured through the official
 * Pinecone client: 100K × 128-d upsert in requests of 1,000 (target < 5 s); query latency p50/p99
 * over HTTP, exact (target p50 ≤ 5 ms) and approximate, with the approximate recall@10; and
 * throughput with 8 and 32 concurrent clients. In-process engine calls on the same data are the
 * peer, so the HTTP overhead reads as a ratio.
 *
 * The server runs in a child process (this file, forked with `--serve`), as in production; the
 * clients run in this one. They talk over the fork's IPC channel to time the peer and to wait
 * for the graph.
 *
 *   npx tsx bench/server.ts                       # 100K records, 500 queries per latency row
 *   npx tsx bench/server.ts --records 20000 --queries 200 --concurrent-queries 2000
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { Pinecone, type Index, type PineconeRecord } from '@pinecone-database/pinecone';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/server/logger.js';
import { startServer } from '../src/server/start.js';
import type { EmbeddedStore } from '../src/stores/embedded-store.js';
import { machineFacts, parseArgs, printTable, summarize, timeEach, writeResult, type LatencySummary, type Row } from './lib/report.js';
import { clusteredVectors, row } from './lib/synthetic.js';

const INDEX = 'bench';
const DIM = 128;
const K = 10;

type Request = { type: 'flush' } | { type: 'engine-query'; vector: number[]; exact: boolean } | { type: 'close' };
type Reply = { type: 'ready'; url: string } | { type: 'flushed'; ms: number } | { type: 'engine-query'; ms: number } | { type: 'closed' };

// ── the server, in a child process ─────────────────────────────────────────────────────────────

async function serve(dataDir: string): Promise<void> {
  const config = loadConfig({ env: {}, flags: { dataDir, logLevel: 'warn', server: { port: 0, auth: false } } });
  const server = await startServer(config, createLogger('warn'));
  const reply = (message: Reply) => process.send?.(message);
  process.on('message', async (message: Request) => {
    if (message.type === 'flush') {
      const start = performance.now();
      await (server.store as EmbeddedStore).database.index(INDEX).flush();
      reply({ type: 'flushed', ms: performance.now() - start });
    } else if (message.type === 'engine-query') {
      // The peer: the same query as a library call, timed inside the server process.
      const start = performance.now();
      await (server.store as EmbeddedStore).database.index(INDEX).query({ vector: message.vector, topK: K, exact: message.exact });
      reply({ type: 'engine-query', ms: performance.now() - start });
    } else {
      await server.close();
      reply({ type: 'closed' });
      process.disconnect();
    }
  });
  reply({ type: 'ready', url: server.url });
}

// ── the clients, in this process ───────────────────────────────────────────────────────────────

function ask(server: ChildProcess, request: Request): Promise<Reply> {
  return new Promise((resolve) => {
    server.once('message', (reply: Reply) => resolve(reply));
    server.send(request);
  });
}

/**
 * Values at float32 precision written with the 9 significant digits that identify a float32: what
 * a float32 embedding carries, and small enough for 1,000 × 128 values (~1.5 MB of JSON) to fit
 * the 2 MB request limit that full double precision (~2.5 MB) would exceed.
 */
function wire(values: Float32Array): number[] {
  return Array.from(values, (x) => Number(x.toPrecision(9)));
}

async function latency(index: Index, queries: readonly number[][]): Promise<{ summary: LatencySummary; ids: string[][] }> {
  const ids: string[][] = [];
  const summary = await timeEach(queries, async (vector, i) => {
    const { matches } = await index.query({ vector, topK: K });
    ids[i] = matches.map((m) => m.id);
  });
  return { summary, ids };
}

async function throughput(index: Index, queries: readonly number[][], clients: number, total: number): Promise<Row> {
  const samples: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const vector = queries[next++ % queries.length] as number[];
        const t = performance.now();
        await index.query({ vector, topK: K });
        samples.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const s = summarize(samples);
  return { clients, queries: total, 'queries/s': Math.round(total / seconds), 'p50 ms': s.p50, 'p99 ms': s.p99 };
}

function recall(found: readonly string[][], truth: readonly string[][]): number {
  let hit = 0;
  let all = 0;
  truth.forEach((expected, q) => {
    const got = new Set(found[q]);
    for (const id of expected) if (got.has(id)) hit++;
    all += expected.length;
  });
  return hit / all;
}

async function bench(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const N = Number(args.records ?? 100_000);
  const QUERIES = Number(args.queries ?? 500);
  const CONCURRENT_QUERIES = Number(args['concurrent-queries'] ?? 4_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'facevault-bench-server-'));
  const server = fork(new URL(import.meta.url).pathname, ['--serve', dataDir], { execArgv: ['--import', 'tsx'] });
  const ready = (await new Promise<Reply>((resolve) => server.once('message', (reply: Reply) => resolve(reply)))) as Extract<Reply, { type: 'ready' }>;
  const results: Record<string, unknown> = { machine: machineFacts(), settings: { N, DIM, K, QUERIES, CONCURRENT_QUERIES, url: ready.url } };
  const tables: Record<string, Row[]> = { upsert: [], latency: [], throughput: [] };

  try {
    const pc = new Pinecone({ apiKey: 'bench', controllerHostUrl: ready.url });
    await pc.createIndex({ name: INDEX, dimension: DIM, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } });
    const { data, queries: queryData } = clusteredVectors(N, QUERIES, DIM, Math.max(1, N / 10), 0.6, 7);
    const chunks: PineconeRecord[][] = [];
    for (let first = 0; first < N; first += 1000) {
      const records: PineconeRecord[] = [];
      for (let i = first; i < Math.min(N, first + 1000); i++) records.push({ id: `v${i}`, values: wire(row(data, DIM, i)) });
      chunks.push(records);
    }
    const queries = Array.from({ length: QUERIES }, (_, q) => wire(row(queryData, DIM, q)));

    const index = pc.index(INDEX);
    const start = performance.now();
    for (const records of chunks) await index.upsert({ records });
    const upsertSeconds = (performance.now() - start) / 1000;
    tables.upsert?.push({ records: N, 'per request': 1000, seconds: upsertSeconds, 'records/s': Math.round(N / upsertSeconds), 'target s': 5 });

    const exact = pc.index({ name: INDEX, additionalHeaders: { 'X-Facevault-Exact': 'true' } });
    const approximate = pc.index({ name: INDEX, additionalHeaders: { 'X-Facevault-Exact': 'false' } });
    const engineLatency = async (isExact: boolean) => {
      const samples: number[] = [];
      for (const vector of queries) samples.push(((await ask(server, { type: 'engine-query', vector, exact: isExact })) as { ms: number }).ms);
      return summarize(samples);
    };

    const exactRun = await latency(exact, queries);
    const exactEngine = await engineLatency(true);
    tables.latency?.push({ engine: 'exact', via: 'HTTP (client)', 'p50 ms': exactRun.summary.p50, 'p99 ms': exactRun.summary.p99, 'recall@10': 1, 'target p50 ms': 5 });
    tables.latency?.push({ engine: 'exact', via: 'library (peer)', 'p50 ms': exactEngine.p50, 'p99 ms': exactEngine.p99, 'recall@10': 1, 'target p50 ms': 3 });

    // The first approximate query starts the graph build (it is answered by scan meanwhile); wait for the whole graph.
    await approximate.query({ vector: queries[0] as number[], topK: K });
    const flushed = (await ask(server, { type: 'flush' })) as { ms: number };
    const annRun = await latency(approximate, queries);
    const annEngine = await engineLatency(false);
    const annRecall = recall(annRun.ids, exactRun.ids);
    tables.latency?.push({ engine: 'approximate', via: 'HTTP (client)', 'p50 ms': annRun.summary.p50, 'p99 ms': annRun.summary.p99, 'recall@10': annRecall, 'target p50 ms': null });
    tables.latency?.push({ engine: 'approximate', via: 'library (peer)', 'p50 ms': annEngine.p50, 'p99 ms': annEngine.p99, 'recall@10': annRecall, 'target p50 ms': null });
    results.graphBuildSeconds = flushed.ms / 1000;

    for (const [engine, handle] of [['exact', exact], ['approximate', approximate]] as const) {
      for (const clients of [1, 8, 32]) tables.throughput?.push({ engine, ...(await throughput(handle, queries, clients, CONCURRENT_QUERIES)) });
    }
  } finally {
    // A clean close saves the graph; it is not what is measured, so it gets 30 s at most.
    await Promise.race([ask(server, { type: 'close' }), new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }

  printTable('Upsert through the official client (sequential requests of 1,000)', tables.upsert ?? []);
  printTable(`Query latency, top-${K}, one client (approximate after the graph was built: ${(results.graphBuildSeconds as number).toFixed(1)} s)`, tables.latency ?? []);
  printTable('Query throughput, concurrent clients', tables.throughput ?? []);
  writeResult(new URL('./results/server.json', import.meta.url).pathname, { ...results, tables });
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt < 0) await bench();
else await serve(process.argv[serveAt + 1] as string);
