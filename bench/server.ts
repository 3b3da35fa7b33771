/**
 * The HTTP server against its targets (../shared/docs/targets.md), measured through the official
 * Pinecone client with values as clients send them (17-digit doubles, 2.6 MB per request of
 * 1,000 × 128): 100K × 128-d upsert (target < 5 s), one request at a time and two in flight;
 * query latency p50/p99 over HTTP, exact (target p50 ≤ 5 ms) and approximate, with the
 * approximate recall@10; and throughput with 8 and 32 concurrent clients. Peers, so that the
 * server's share reads as a ratio: the same upserts sent to a null server that reads each body
 * and answers without parsing it (the client's own cost), and in-process engine calls for queries.
 * Exact queries go to facevault, the null server and the library in turn, query by query, and the
 * server also times each query itself (request to response), so the server's share of a query is
 * read two ways in the same run.
 *
 * The server runs in a child process (this file, forked with `--serve`), as in production, and so
 * does the null server (`--null`); the clients run in this one. They talk over the fork's IPC
 * channel to time the peer and to wait for the graph.
 *
 *   npx tsx bench/server.ts                       # 100K records, 500 queries per latency row
 *   npx tsx bench/server.ts --records 20000 --queries 200 --concurrent-queries 2000
 *
 * --upsert-rounds N (default 3): sequential upserts of every record, facevault and the null server
 * taking turns; the seconds are medians and facevault's share per request is each round's own
 * difference (median over rounds). --out path (default bench/results/server.json).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pinecone, type Index, type PineconeRecord } from '@pinecone-database/pinecone';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/server/logger.js';
import { startServer } from '../src/server/start.js';
import type { EmbeddedStore } from '../src/stores/embedded-store.js';
import { machineFacts, parseArgs, printTable, summarize, timeEach, writeResult, type LatencySummary, type Row } from './lib/report.js';
import { clusteredVectors, row } from './lib/synthetic.js';
import { at, defined } from '../src/util/checked.js';

const INDEX = 'bench';
const DIM = 128;
const K = 10;

type Request = { type: 'flush' } | { type: 'engine-query'; vector: number[]; exact: boolean } | { type: 'request-times' } | { type: 'close' };
type Reply =
  | { type: 'ready'; url: string }
  | { type: 'flushed'; ms: number }
  | { type: 'engine-query'; ms: number }
  | { type: 'request-times'; ms: number[] }
  | { type: 'closed' };

// ── the server, in a child process ─────────────────────────────────────────────────────────────

async function serve(dataDir: string): Promise<void> {
  const config = loadConfig({ env: {}, flags: { dataDir, logLevel: 'warn', server: { port: 0, auth: false } } });
  const server = await startServer(config, createLogger('warn'));
  const reply = (message: Reply) => process.send?.(message);
  // The server's own time for each query: from node handing the parsed request line and headers
  // to the server until the response is handed to the kernel (reading the body, routing, hooks,
  // validation, the library call, serialising). Taken since the last 'request-times' message.
  let queryTimes: number[] = [];
  server.app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!request.url?.endsWith('/query')) return;
    const start = performance.now();
    response.once('finish', () => queryTimes.push(performance.now() - start));
  });
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
    } else if (message.type === 'request-times') {
      reply({ type: 'request-times', ms: queryTimes });
      queryTimes = [];
    } else {
      await server.close();
      reply({ type: 'closed' });
      process.disconnect();
    }
  });
  reply({ type: 'ready', url: server.url });
}

/** A top-10 answer as facevault writes one (ids, float32 scores in shortest digits, no values). */
const CANNED_QUERY_ANSWER = JSON.stringify({
  matches: Array.from({ length: 10 }, (_, i) => ({ id: `r${90_000 + i * 137}`, score: Math.fround(0.9 - i / 100) })),
  namespace: '',
  usage: { readUnits: 1 },
});

/**
 * The client's own cost: a server that reads each request whole and answers without parsing it —
 * an upsert with its count, a query with a canned top-10 of the size facevault answers.
 */
async function serveNull(): Promise<void> {
  const server = createServer((request, response) => {
    request.resume();
    const answer = request.url?.endsWith('/query') ? CANNED_QUERY_ANSWER : '{"upsertedCount":1000}';
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } satisfies Reply);
  process.on('message', () => {
    server.close();
    process.send?.({ type: 'closed' } satisfies Reply);
    process.disconnect();
  });
}

// ── the clients, in this process ───────────────────────────────────────────────────────────────

function start(args: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(new URL(import.meta.url).pathname, args, { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve) => child.once('message', (reply: Reply) => resolve({ child, url: (reply as Extract<Reply, { type: 'ready' }>).url })));
}

/** Seconds to send every chunk, `inFlight` requests at a time. */
async function upsertAll(index: Index, chunks: readonly PineconeRecord[][], inFlight: number): Promise<number> {
  let next = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < chunks.length) await index.upsert({ records: chunks[next++] as PineconeRecord[] });
    }),
  );
  return (performance.now() - begin) / 1000;
}

function ask(server: ChildProcess, request: Request): Promise<Reply> {
  return new Promise((resolve) => {
    server.once('message', (reply: Reply) => resolve(reply));
    server.send(request);
  });
}

/**
 * Values as clients send them: doubles with their 17 significant digits, as a float32 model's
 * output looks once widened and serialised (DeepFace's `represent` gives Python floats). 1,000
 * records of 128 make a 2.6 MB request.
 */
function wire(values: Float32Array): number[] {
  return Array.from(values);
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
        const vector = at(queries, next++ % queries.length);
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
  const UPSERT_ROUNDS = Number(args['upsert-rounds'] ?? 3);
  const OUT = String(args.out ?? new URL('./results/server.json', import.meta.url).pathname);
  const dataDir = mkdtempSync(join(tmpdir(), 'facevault-bench-server-'));
  const { child: server, url } = await start(['--serve', dataDir]);
  const results: Record<string, unknown> = { machine: machineFacts(), settings: { N, DIM, K, QUERIES, CONCURRENT_QUERIES, url } };
  const tables: Record<string, Row[]> = { upsert: [], share: [], latency: [], throughput: [] };

  try {
    const pc = new Pinecone({ apiKey: 'bench', controllerHostUrl: url });
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
    const megabytes = JSON.stringify({ vectors: chunks[0] }).length / 1e6;
    const requests = chunks.length;
    const upsertRow = (via: string, inFlight: number, seconds: number) => ({ via, 'in flight': inFlight, records: N, 'MB per request': megabytes, seconds, 'records/s': Math.round(N / seconds), 'target s': 5 });
    const nullServer = await start(['--null']);
    const nullIndex = pc.index({ name: INDEX, host: nullServer.url });
    // One request at a time, UPSERT_ROUNDS rounds, facevault and the null server taking turns
    // (the order swapped each round) so that load from other processes falls on both alike.
    // Round 0 fills the index the queries below use; later rounds fill an index deleted after.
    const rounds: { ours: number; alone: number }[] = [];
    for (let round = 0; round < UPSERT_ROUNDS; round++) {
      const name = round === 0 ? INDEX : `${INDEX}-r${round}`;
      if (round > 0) await pc.createIndex({ name, dimension: DIM, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } });
      let ours = 0;
      let alone = 0;
      const runOurs = async () => {
        ours = await upsertAll(round === 0 ? index : pc.index(name), chunks, 1);
      };
      const runAlone = async () => {
        alone = await upsertAll(nullIndex, chunks, 1);
      };
      for (const run of round % 2 === 0 ? [runOurs, runAlone] : [runAlone, runOurs]) await run();
      if (round > 0) await pc.deleteIndex(name);
      rounds.push({ ours, alone });
    }
    const median = (values: number[]) => summarize(values).p50;
    const ours1 = median(rounds.map((r) => r.ours));
    const alone1 = median(rounds.map((r) => r.alone));
    tables.upsert?.push(upsertRow('facevault', 1, ours1));
    tables.upsert?.push(upsertRow('null server (the client alone)', 1, alone1));
    // Two in flight into a second index, deleted after: one request is parsed and stored while the client serialises the next.
    await pc.createIndex({ name: `${INDEX}-2`, dimension: DIM, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } });
    tables.upsert?.push(upsertRow('facevault', 2, await upsertAll(pc.index(`${INDEX}-2`), chunks, 2)));
    await pc.deleteIndex(`${INDEX}-2`);
    tables.upsert?.push(upsertRow('null server (the client alone)', 2, await upsertAll(nullIndex, chunks, 2)));
    // facevault's share of a sequential request: its time beyond the null server's, per request and
    // as a ratio to the client's own time (what the null server's run costs: serialising, sending,
    // a bare node server reading and discarding the body), each round's own pair, median over rounds.
    const shares = rounds.map((r) => ((r.ours - r.alone) * 1000) / requests);
    const ratios = rounds.map((r) => (r.ours - r.alone) / r.alone);
    tables.share?.push({
      rounds: rounds.length,
      'facevault s (median)': ours1,
      'client + bare server s (median)': alone1,
      'facevault share ms/request': median(shares),
      'share per round ms': shares.map((x) => x.toFixed(1)).join(' '),
      'client + bare server ms/request': (alone1 * 1000) / requests,
      'share / (client + bare server)': median(ratios),
    });

    const exact = pc.index({ name: INDEX, additionalHeaders: { 'X-Facevault-Exact': 'true' } });
    const approximate = pc.index({ name: INDEX, additionalHeaders: { 'X-Facevault-Exact': 'false' } });
    const engineQuery = async (vector: number[], isExact: boolean) => ((await ask(server, { type: 'engine-query', vector, exact: isExact })) as { ms: number }).ms;
    const engineLatency = async (isExact: boolean) => {
      const samples: number[] = [];
      for (const vector of queries) samples.push(await engineQuery(vector, isExact));
      return summarize(samples);
    };

    // Exact: each query goes to facevault over HTTP, to the null server (the client and a bare HTTP
    // exchange, answered with a canned top-10) and to the library in the server process, one after
    // the other, so that load from other processes falls on all three alike.
    const exactIds: string[][] = [];
    const exactSamples = { http: [] as number[], alone: [] as number[], library: [] as number[] };
    await ask(server, { type: 'request-times' });
    for (const [q, vector] of queries.entries()) {
      let start = performance.now();
      exactIds[q] = (await exact.query({ vector, topK: K })).matches.map((m) => m.id);
      exactSamples.http.push(performance.now() - start);
      start = performance.now();
      await nullIndex.query({ vector, topK: K });
      exactSamples.alone.push(performance.now() - start);
      exactSamples.library.push(await engineQuery(vector, true));
    }
    const inServer = summarize(((await ask(server, { type: 'request-times' })) as { ms: number[] }).ms);
    await ask(nullServer.child, { type: 'close' });
    const exactRun = { summary: summarize(exactSamples.http), ids: exactIds };
    const exactEngine = summarize(exactSamples.library);
    const nullRun = summarize(exactSamples.alone);
    tables.latency?.push({ engine: 'exact', via: 'HTTP (client)', 'p50 ms': exactRun.summary.p50, 'p99 ms': exactRun.summary.p99, 'recall@10': 1, 'target p50 ms': 5 });
    tables.latency?.push({ engine: 'exact', via: 'in the server (request to response)', 'p50 ms': inServer.p50, 'p99 ms': inServer.p99, 'recall@10': 1, 'target p50 ms': null });
    tables.latency?.push({ engine: 'exact', via: 'library (peer)', 'p50 ms': exactEngine.p50, 'p99 ms': exactEngine.p99, 'recall@10': 1, 'target p50 ms': 3 });
    tables.latency?.push({ engine: 'none', via: 'null server (client + HTTP alone)', 'p50 ms': nullRun.p50, 'p99 ms': nullRun.p99, 'recall@10': null, 'target p50 ms': null });
    // The server's own share of an exact query (issue 15: < 1 ms), two ways: what the HTTP call
    // costs beyond the client and a bare HTTP exchange (the null server) and beyond the library
    // call; and the server's own request-to-response time beyond the library call.
    results.exactQueryServerShareMs = exactRun.summary.p50 - nullRun.p50 - exactEngine.p50;
    results.exactQueryInServerShareMs = inServer.p50 - exactEngine.p50;

    // The first approximate query starts the graph build (it is answered by scan meanwhile); wait for the whole graph.
    await approximate.query({ vector: at(queries, 0), topK: K });
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

  printTable('Upsert through the official client (requests of 1,000 records, full-precision doubles)', tables.upsert ?? []);
  printTable(`Query latency, top-${K}, one client (approximate after the graph was built: ${(results.graphBuildSeconds as number).toFixed(1)} s)`, tables.latency ?? []);
  console.log(`The server's share of an exact query (HTTP p50 - null server p50 - library p50): ${(results.exactQueryServerShareMs as number).toFixed(2)} ms (target < 1 ms)`);
  console.log(`The same, timed in the server (request-to-response p50 - library p50): ${(results.exactQueryInServerShareMs as number).toFixed(2)} ms\n`);
  printTable('Query throughput, concurrent clients', tables.throughput ?? []);
  printTable("facevault's share of a sequential upsert request", tables.share ?? []);
  writeResult(OUT, { ...results, command: `npx tsx bench/server.ts ${process.argv.slice(2).join(' ')}`.trim(), tables });
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) await serve(defined(process.argv[serveAt + 1], 'the value of --serve'));
else if (process.argv.includes('--null')) await serveNull();
else await bench();
