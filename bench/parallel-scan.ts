/**
 * Exact scans on every core (issue 15): the same top-10 euclidean scan on the calling thread
 * (`searchExact`) and split over the scan threads (`ScanPool`), beside the memory-bandwidth
 * peer (the same threads only reading the same bytes), all in one run. Then the event loop
 * under 16 concurrent query loops through the library, with the threads and with every scan on
 * the main thread. Run: `npx tsx bench/parallel-scan.ts [--quick]`.
 * Prints tables and writes bench/results/parallel-scan.json, and parallel-scan.png: scan
 * throughput against the read peer's, by size. `--plot-only` draws the PNG again from the JSON.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase } from '../src/vector/database.js';
import { searchExact } from '../src/vector/exact/scan.js';
import { ScanPool } from '../src/vector/exact/scan-pool.js';
import { SCAN_THREADS } from '../src/vector/exact/slab-layout.js';
import { VectorSlab } from '../src/vector/exact/slab.js';
import { seededRandom } from '../src/util/seeded-random.js';
import { at } from '../src/util/checked.js';
import { renderXySvg } from './lib/line-plot.js';
import { writeSvgAsPng } from './lib/plot.js';
import { ReadBandwidth } from './lib/read-bandwidth.js';

const quick = process.argv.includes('--quick');
const K = 10;
const SIZES = quick
  ? [{ n: 4_000, dim: 128 }, { n: 16_000, dim: 128 }, { n: 100_000, dim: 128 }]
  : [
      { n: 2_000, dim: 128 },
      { n: 4_000, dim: 128 },
      { n: 8_000, dim: 128 },
      { n: 16_000, dim: 128 },
      { n: 32_000, dim: 128 },
      { n: 100_000, dim: 128 },
      { n: 1_000_000, dim: 128 },
      { n: 1_000_000, dim: 512 },
    ];
const CLIENTS = 16;
const LOAD_SECONDS = quick ? 3 : 10;

function fillSlab(n: number, dim: number, seed: number): VectorSlab {
  const next = seededRandom(seed);
  const slab = new VectorSlab(dim, { initialCapacity: n });
  const row = new Float32Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = next() * 2 - 1;
    slab.write(slab.allocate(), row);
  }
  return slab;
}

/** Median and p99 of `times` timed runs after 3 untimed ones. */
async function timed(run: () => unknown, times: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const pick = (q: number) => at(samples, Math.min(samples.length - 1, Math.floor(q * samples.length)));
  return { p50: pick(0.5), p99: pick(0.99) };
}

/**
 * 16 clients querying one namespace as fast as they can through the library, for LOAD_SECONDS,
 * while the event loop's delay is sampled: what every other request on the server would wait.
 */
async function eventLoopUnderLoad(n: number, dim: number, parallel: boolean): Promise<Record<string, number | boolean>> {
  const dir = mkdtempSync(join(tmpdir(), 'fv-parallel-scan-'));
  const db = await openDatabase(dir);
  try {
    await db.createIndex({ name: 'load', dimension: dim, metric: 'cosine' });
    const index = db.index('load');
    const next = seededRandom(5);
    for (let start = 0; start < n; start += 1_000) {
      const records = Array.from({ length: 1_000 }, (_, i) => ({ id: `r${start + i}`, values: Float32Array.from({ length: dim }, () => next() * 2 - 1) }));
      await index.upsert({ records });
    }
    const queries = Array.from({ length: 64 }, () => Array.from({ length: dim }, () => next() * 2 - 1));
    // Warm up both paths' code before measuring.
    for (const vector of queries.slice(0, 8)) await index.query({ vector, topK: K, exact: true });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    let done = 0;
    const stopAt = performance.now() + LOAD_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = client; performance.now() < stopAt; i += CLIENTS) {
          await index.query({ vector: at(queries, i % queries.length), topK: K, exact: true });
          done++;
          // A real client's request arrives on a new turn of the loop.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
    delay.disable();
    const ms = (ns: number) => ns / 1e6;
    return { n, dim, parallel, queriesPerSecond: done / LOAD_SECONDS, loopDelayP50Ms: ms(delay.percentile(50)), loopDelayP99Ms: ms(delay.percentile(99)), loopDelayMaxMs: ms(delay.max) };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scan table: each size on the calling thread, on the scan threads, and the read peer. */
async function scanTable(): Promise<Record<string, number>[]> {
  const pool = ScanPool.shared();
  const bandwidth = new ReadBandwidth(SCAN_THREADS);
  const rows = [];
  for (const { n, dim } of SIZES) {
    const slab = fillSlab(n, dim, n + dim);
    const query = Float32Array.from({ length: dim }, (_, j) => Math.sin(j));
    const bytes = n * dim * 4;
    const times = Math.max(10, Math.min(200, Math.round(2e9 / bytes)));
    // Interleaved rounds, so that a slow spell of the shared machine hits every column alike.
    const inThread: number[] = [];
    const threads: number[] = [];
    const reads: number[] = [];
    for (let round = 0; round < 3; round++) {
      inThread.push((await timed(() => searchExact(slab, query, K, 'euclidean'), times)).p50);
      threads.push((await timed(() => pool.search(slab, query, K, 'euclidean'), times)).p50);
      const start = slab.layout.vectorsOffset;
      reads.push((await timed(() => bandwidth.readOnce(slab.memory, start, start + n * slab.layout.rowBytes), times)).p50);
    }
    const median = (xs: number[]) => at([...xs].sort((a, b) => a - b), 1);
    const row = {
      n, dim, megabytes: bytes / 1e6,
      inThreadP50Ms: median(inThread), threadsP50Ms: median(threads), readPeerP50Ms: median(reads),
      threadsVsInThread: median(threads) / median(inThread),
      inThreadGBs: bytes / median(inThread) / 1e6, threadsGBs: bytes / median(threads) / 1e6, readPeerGBs: bytes / median(reads) / 1e6,
      threadsVsBandwidth: median(reads) / median(threads),
    };
    rows.push(row);
    pool.release(slab);
    console.log(
      `${String(n).padStart(9)} ×${String(dim).padStart(4)} ${row.megabytes.toFixed(0).padStart(6)} MB | in-thread ${row.inThreadP50Ms.toFixed(3).padStart(8)} ms ${row.inThreadGBs.toFixed(1).padStart(5)} GB/s | ` +
        `${SCAN_THREADS} threads ${row.threadsP50Ms.toFixed(3).padStart(8)} ms ${row.threadsGBs.toFixed(1).padStart(5)} GB/s (${row.threadsVsInThread.toFixed(2)}×) | ` +
        `read peer ${row.readPeerP50Ms.toFixed(3).padStart(8)} ms ${row.readPeerGBs.toFixed(1).padStart(5)} GB/s → scan at ${(100 * row.threadsVsBandwidth).toFixed(0)} % of it`,
    );
  }
  await bandwidth.close();
  return rows;
}

type ScanRow = Awaited<ReturnType<typeof scanTable>>[number];

/** Scan throughput (GB/s of rows) by megabytes scanned: in-thread, on the threads, and the read peer the threads are held to. */
async function plotScans(rows: readonly ScanRow[], path: URL): Promise<void> {
  const curve = (dim: number, column: 'inThreadGBs' | 'threadsGBs' | 'readPeerGBs') =>
    rows.filter((r) => r.dim === dim).map((r) => ({ x: Number(r.megabytes), y: Number(r[column]) }));
  const dims = [...new Set(rows.map((r) => Number(r.dim)))];
  const series = dims.flatMap((dim) => [
    { label: `${SCAN_THREADS} scan threads, d=${dim}`, points: curve(dim, 'threadsGBs'), emphasis: true },
    { label: `read peer (same threads), d=${dim}`, points: curve(dim, 'readPeerGBs'), dashed: true },
    { label: `calling thread, d=${dim}`, points: curve(dim, 'inThreadGBs') },
  ]);
  const top = Math.max(...series.flatMap((s) => s.points.map((p) => p.y)));
  const svg = renderXySvg(series, {
    title: `Exact top-${K} scan throughput against memory read bandwidth (same run)`,
    xLabel: 'rows scanned per query (MB, log scale)',
    yLabel: 'GB/s',
    xLog: true,
    yMin: 0,
    yMax: Math.ceil(top / 10) * 10,
  });
  await writeSvgAsPng(svg, path.pathname);
}

const resultsDir = new URL('./results/', import.meta.url);
const resultName = `parallel-scan${quick ? '-quick' : ''}`;
if (process.argv.includes('--plot-only')) {
  const saved = JSON.parse(readFileSync(new URL(`${resultName}.json`, resultsDir), 'utf8')) as { scans: ScanRow[] };
  await plotScans(saved.scans, new URL(`${resultName}.png`, resultsDir));
  process.exit(0);
}

const loadCase = quick ? { n: 100_000, dim: 128 } : { n: 1_000_000, dim: 128 };
const parallel = process.env.FACEVAULT_PARALLEL_SCAN_MIN_BYTES !== 'Infinity';
if (process.argv.includes('--load-only')) {
  console.log(JSON.stringify(await eventLoopUnderLoad(loadCase.n, loadCase.dim, parallel)));
  process.exit(0);
}

const scanRows = await scanTable();
// The scan path is chosen per process (FACEVAULT_PARALLEL_SCAN_MIN_BYTES): the script runs
// itself again with every scan on the main thread for the peer.
const loadRows = [await eventLoopUnderLoad(loadCase.n, loadCase.dim, parallel)];
const { execFileSync } = await import('node:child_process');
const output = execFileSync(process.execPath, [...process.execArgv, process.argv[1] as string, ...process.argv.slice(2), '--load-only'], {
  env: { ...process.env, FACEVAULT_PARALLEL_SCAN_MIN_BYTES: 'Infinity' },
  encoding: 'utf8',
  maxBuffer: 1 << 26,
});
loadRows.push(JSON.parse(output.trim().split('\n').at(-1) as string) as Record<string, number | boolean>);
console.log(`\n${CLIENTS} clients, exact top-${K}, cosine, ${loadCase.n} × ${loadCase.dim}, ${LOAD_SECONDS} s each`);
for (const r of loadRows) {
  console.log(
    `${r.parallel ? `${SCAN_THREADS} scan threads` : 'main thread   '} | ${Number(r.queriesPerSecond).toFixed(0).padStart(6)} q/s | event-loop delay p50 ${Number(r.loopDelayP50Ms).toFixed(1)} ms, p99 ${Number(r.loopDelayP99Ms).toFixed(1)} ms, max ${Number(r.loopDelayMaxMs).toFixed(1)} ms`,
  );
}

const result = {
  benchmark: 'parallel-scan', k: K, metric: 'euclidean', scanThreads: SCAN_THREADS, cpu: cpus()[0]?.model, cores: cpus().length,
  node: process.version, date: new Date().toISOString(), command: `npx tsx bench/parallel-scan.ts${quick ? ' --quick' : ''}`,
  scans: scanRows, eventLoop: { clients: CLIENTS, seconds: LOAD_SECONDS, rows: loadRows },
};
mkdirSync(resultsDir, { recursive: true });
writeFileSync(new URL(`${resultName}.json`, resultsDir), `${JSON.stringify(result, null, 2)}\n`);
await plotScans(scanRows, new URL(`${resultName}.png`, resultsDir));
