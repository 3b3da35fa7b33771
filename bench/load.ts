/**
 * Mixed load (issue 12): `--clients` clients (default 32) for `--seconds` (default 300) against a
 * `facevault serve` process on the embedded store, each looping over a mix of exact and
 * approximate top-10 queries, upserts of 100 records and identifications of real face photos
 * (`/search`). Reports throughput and p50/p99 per operation, every non-2xx answer (5xx must be
 * zero; 503 is load shedding and is counted apart), the server's resident memory at the end
 * against minute one, and the event-loop delay the server's /metrics reports every 5 s.
 *
 *   npx tsx bench/load.ts                                   # 32 clients, 5 minutes
 *   npx tsx bench/load.ts --seconds 60 --clients 16         # a shorter run
 *   npx tsx bench/load.ts --overwrite --out bench/results/load-steady.json
 *       # steady state: upserts overwrite the records filled at the start, so the data keeps its
 *       # size (and automatic compaction runs under load): memory must stay flat
 *   → bench/results/load.json (--out FILE)
 */
import { readFileSync } from 'node:fs';
import { facevault } from '../tests/helpers/facevault-process.js';
import { faceCrops } from '../tests/helpers/face-crops.js';
import { makeTempDir } from '../tests/helpers/temp-dir.js';
import { seededRandom } from '../src/util/seeded-random.js';
import { machineFacts, parseArgs, printTable, summarize, writeResult, type Row } from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const SECONDS = Number(args.seconds ?? 300);
const CLIENTS = Number(args.clients ?? 32);
const RECORDS = Number(args.records ?? 20_000);
const OUT = String(args.out ?? 'bench/results/load.json');
const OVERWRITE = args.overwrite !== undefined;
const DIMENSION = 128;
const KEY = 'load-key-5d1e';
const SAMPLE_EVERY_MS = 5_000;

type Operation = 'query exact' | 'query approximate' | 'upsert 100' | 'identify (/search)';
/** The mix, as cumulative weights. */
const MIX: [Operation, number][] = [
  ['query exact', 0.35],
  ['query approximate', 0.7],
  ['upsert 100', 0.85],
  ['identify (/search)', 1],
];

const random = seededRandom(5);
const vector = () => Array.from({ length: DIMENSION }, () => random() - 0.5);
const records = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, values: vector(), metadata: { prefix } }));
/** 100 records overwriting a random run of those filled at the start (ids `fill<first>-<i>`). */
const overwrites = (count: number) => {
  const first = Math.floor(random() * (RECORDS / 1000)) * 1000;
  const start = Math.floor(random() * (Math.min(1000, RECORDS - first) - count));
  return Array.from({ length: count }, (_, i) => ({ id: `fill${first}-${start + i}`, values: vector(), metadata: { prefix: `fill${first}` } }));
};

async function post(url: string, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

/** Resident memory of a process, from /proc (bytes). */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}

async function eventLoopDelay(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { 'api-key': KEY } })).text();
  const quantile = (q: string) => Number(new RegExp(`^facevault_event_loop_delay_seconds\\{quantile="${q}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  return { p99: quantile('0.99'), max: quantile('1') };
}

async function main(): Promise<void> {
  const tmp = makeTempDir('facevault-load-');
  const server = facevault(['serve', '--data', tmp.dir, '--port', '0'], { FACEVAULT_API_KEYS: KEY, FACEVAULT_LOG_LEVEL: 'info' });
  try {
    const url = await server.serving;
    const pid = server.child.pid as number;
    const created = await post(url, '/indexes', { name: 'load', dimension: DIMENSION, metric: 'cosine', engine: 'approximate', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } });
    if (created !== 201) throw new Error(`create index answered ${created}`);
    for (let first = 0; first < RECORDS; first += 1000) await post(url, '/indexes/load/vectors/upsert', { vectors: records(`fill${first}`, Math.min(1000, RECORDS - first)) });
    const photos = (await faceCrops()).map((bytes) => bytes.toString('base64'));
    for (const [i, img] of photos.entries()) if (i % 4 === 3) await post(url, '/register', { img, img_name: `person-${i}` });
    console.log(`server ${url} (pid ${pid}): ${RECORDS.toLocaleString('en-US')} records, ${photos.length / 4} faces enrolled; ${CLIENTS} clients for ${SECONDS} s`);

    const latencies = new Map<Operation, number[]>(MIX.map(([op]) => [op, []]));
    const statuses = new Map<string, number>();
    const samples: { second: number; rssBytes: number; loopP99Ms: number; loopMaxMs: number }[] = [];
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    let upserts = 0;

    const sampler = setInterval(() => {
      void eventLoopDelay(url).then(({ p99, max }) => samples.push({ second: Math.round((performance.now() - started) / 1000), rssBytes: rssOf(pid), loopP99Ms: p99, loopMaxMs: max }));
    }, SAMPLE_EVERY_MS);

    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (performance.now() < deadline) {
          const draw = random();
          const op = (MIX.find(([, upTo]) => draw < upTo) ?? MIX[0])?.[0] as Operation;
          const t0 = performance.now();
          let status: number;
          if (op === 'query exact' || op === 'query approximate') status = await post(url, '/indexes/load/query', { vector: vector(), topK: 10, exact: op === 'query exact' });
          else if (op === 'upsert 100') status = await post(url, '/indexes/load/vectors/upsert', { vectors: OVERWRITE ? overwrites(100) : records(`c${client}u${upserts++}`, 100) });
          else status = await post(url, '/search', { img: photos[Math.floor(random() * photos.length)] });
          latencies.get(op)?.push(performance.now() - t0);
          const key = `${op} ${status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      }),
    );
    clearInterval(sampler);
    const elapsed = (performance.now() - started) / 1000;

    const rows: Row[] = MIX.map(([op]) => {
      const ms = latencies.get(op) ?? [];
      const s = summarize(ms);
      const non2xx = [...statuses].filter(([key]) => key.startsWith(`${op} `) && !/ 2\d\d$/.test(key)).map(([key, n]) => `${key.slice(op.length + 1)}×${n}`);
      return { operation: op, requests: ms.length, 'per s': ms.length / elapsed, 'p50 ms': s.p50, 'p99 ms': s.p99, 'not 2xx': non2xx.join(' ') || 'none' };
    });
    printTable(`Mixed load: ${CLIENTS} clients, ${Math.round(elapsed)} s`, rows);
    const fiveXX = [...statuses].filter(([key]) => / 5\d\d$/.test(key) && !key.endsWith(' 503')).reduce((n, [, count]) => n + count, 0);
    const shed = [...statuses].filter(([key]) => key.endsWith(' 503')).reduce((n, [, count]) => n + count, 0);
    const minuteOne = samples.find((sample) => sample.second >= 60) ?? samples[0];
    const last = samples.at(-1);
    const loopP99s = samples.map((sample) => sample.loopP99Ms).sort((a, b) => a - b);
    const memory = {
      rss_minute_one_mb: (minuteOne?.rssBytes ?? 0) / 2 ** 20,
      rss_end_mb: (last?.rssBytes ?? 0) / 2 ** 20,
      rss_end_over_minute_one: (last?.rssBytes ?? 0) / (minuteOne?.rssBytes ?? 1),
    };
    const loop = {
      p99_ms_median_interval: loopP99s[Math.floor(loopP99s.length / 2)] ?? NaN,
      p99_ms_worst_interval: loopP99s.at(-1) ?? NaN,
      max_ms: Math.max(...samples.map((sample) => sample.loopMaxMs)),
    };
    printTable('Server', [{ '5xx (not 503)': fiveXX, '503 (shed)': shed, ...memory, 'loop p99 ms (median 5 s)': loop.p99_ms_median_interval, 'loop p99 ms (worst 5 s)': loop.p99_ms_worst_interval, 'loop max ms': loop.max_ms }]);
    writeResult(OUT, { machine: machineFacts(), command: `npx tsx bench/load.ts --seconds ${SECONDS} --clients ${CLIENTS} --records ${RECORDS}${OVERWRITE ? ' --overwrite' : ''} --out ${OUT}`, elapsed_s: elapsed, rows, statuses: Object.fromEntries(statuses), five_xx: fiveXX, shed_503: shed, memory, event_loop: loop, samples });
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    tmp.cleanup();
  }
}

await main();
