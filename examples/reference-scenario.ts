/**
 * The reference scenario, with the official Pinecone client (`@pinecone-database/pinecone`),
 * unchanged, against a facevault server instead of Pinecone's cloud: create an index `deepface`
 * (euclidean, 128-d), upsert 100,000 records in chunks of 1,000 with retries, query top_k=5, fetch
 * one record by id and verify it against a distance threshold. Each step's time is printed beside
 * the reference run on Pinecone (8.37 s per chunk of 1,000, 0.3 s per query).
 *
 *   npx tsx examples/reference-scenario.ts                              # starts its own server (child process, temp dir)
 *   npx tsx examples/reference-scenario.ts --url http://host:5080 --api-key KEY   # an existing one
 *   npx tsx examples/reference-scenario.ts --records 20000             # a shorter run
 *
 * Writes its figures to bench/results/reference-scenario.json (`--out FILE` to change).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors, Pinecone, type PineconeRecord } from '@pinecone-database/pinecone';
import { machineFacts, writeResult } from '../bench/lib/report.js';
import { PINECONE_REFERENCE as REFERENCE } from '../src/cli/pinecone-reference.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/server/logger.js';
import { startServer } from '../src/server/start.js';
import { seededRandom } from '../src/util/seeded-random.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set((process.argv[i] as string).replace(/^--/, ''), process.argv[i + 1] ?? '');

const INDEX = 'deepface';
const DIMENSION = 128;
const RECORDS = Number(args.get('records') ?? 100_000);
const CHUNK = 1_000;
/** DeepFace's threshold for Facenet (128-d) embeddings under the euclidean distance. */
const THRESHOLD = 10;

/**
 * A seeded uniform(-2, 2) double, written with all its 17 significant digits as DeepFace writes
 * embeddings: a chunk of 1,000 × 128 values is ~2.6 MB of JSON, which the server takes with its
 * default settings.
 */
function makeRandom(seed: number): () => number {
  const unit = seededRandom(seed);
  return () => unit() * 4 - 2;
}

function randomVector(random: () => number): number[] {
  return Array.from({ length: DIMENSION }, random);
}

function euclidean(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(sum);
}

/** Retries what the client does not: connection failures (it retries 5xx itself). */
async function withRetries<T>(what: string, attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (err) {
      const retryable = err instanceof Errors.PineconeConnectionError || err instanceof Errors.PineconeMaxRetriesExceededError;
      if (!retryable || tried >= attempts) throw err;
      console.warn(`${what}: ${(err as Error).name}, retrying (${tried}/${attempts - 1})`);
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** tried));
    }
  }
}

/**
 * The server of a run that names none: this file again (`--serve DIR`) in a child process, as a
 * server runs in production — apart from the client, each on its own core.
 */
async function serve(dataDir: string): Promise<void> {
  const config = loadConfig({ env: {}, flags: { dataDir, logLevel: 'warn', server: { port: 0, auth: false } } });
  const server = await startServer(config, createLogger('warn'));
  process.send?.(server.url);
  process.once('message', async () => {
    await server.close();
    process.disconnect();
  });
}

async function connect(): Promise<{ pc: Pinecone; cleanup: () => Promise<void> }> {
  const url = args.get('url');
  if (url) {
    const apiKey = args.get('api-key') ?? process.env.FACEVAULT_API_KEY ?? '';
    return { pc: new Pinecone({ apiKey, controllerHostUrl: url }), cleanup: async () => undefined };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'facevault-scenario-'));
  const child = fork(new URL(import.meta.url).pathname, ['--serve', dataDir], { execArgv: ['--import', 'tsx'] });
  const serverUrl = await new Promise<string>((resolve) => child.once('message', (message) => resolve(message as string)));
  console.log(`facevault server at ${serverUrl} (data in ${dataDir})`);
  // Without keys the server ignores the key; the client still insists on having one.
  return {
    pc: new Pinecone({ apiKey: 'local', controllerHostUrl: serverUrl }),
    cleanup: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function row(step: string, seconds: number, referenceSeconds: number): Record<string, string> {
  return { step, facevault: `${seconds.toFixed(4)} s`, 'Pinecone (reference)': `${referenceSeconds.toFixed(2)} s`, 'speed-up': `${Math.round(referenceSeconds / seconds)}×` };
}

async function main(): Promise<void> {
  const { pc, cleanup } = await connect();
  try {
    const existing = (await pc.listIndexes()).indexes?.some((index) => index.name === INDEX);
    if (existing) await pc.deleteIndex(INDEX);
    let start = performance.now();
    await pc.createIndex({ name: INDEX, dimension: DIMENSION, metric: 'euclidean', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } }, waitUntilReady: true });
    console.log(`created index ${INDEX} in ${((performance.now() - start) / 1000).toFixed(3)} s`);
    const index = pc.index(INDEX);

    const random = makeRandom(42);
    const chunkSeconds: number[] = [];
    start = performance.now();
    for (let first = 0; first < RECORDS; first += CHUNK) {
      const records: PineconeRecord[] = [];
      for (let i = first; i < Math.min(RECORDS, first + CHUNK); i++) records.push({ id: `img${i}.jpg`, values: randomVector(random), metadata: { source: `img${i}.jpg` } });
      const chunkStart = performance.now();
      await withRetries(`chunk ${first / CHUNK}`, () => index.upsert({ records }));
      chunkSeconds.push((performance.now() - chunkStart) / 1000);
    }
    const wallSeconds = (performance.now() - start) / 1000;
    const upsertSeconds = chunkSeconds.reduce((sum, s) => sum + s, 0);
    const perChunk = upsertSeconds / chunkSeconds.length;
    console.log(
      `upserted ${RECORDS.toLocaleString('en-US')} records in ${chunkSeconds.length} chunks: ${upsertSeconds.toFixed(2)} s in requests, ` +
        `${wallSeconds.toFixed(2)} s with generating the data (reference: ${((REFERENCE.secondsPerChunk * RECORDS) / CHUNK / 60).toFixed(1)} min)`,
    );

    // The target: a stored record's embedding with a little noise, as a new photo of a known face.
    const known = Math.floor(RECORDS / 2);
    const { records: stored } = await index.fetch({ ids: [`img${known}.jpg`] });
    const noise = makeRandom(7);
    const target = (stored[`img${known}.jpg`]?.values as number[]).map((x) => x + noise() / 20);

    start = performance.now();
    const result = await index.query({ vector: target, topK: 5, includeMetadata: true });
    const querySeconds = (performance.now() - start) / 1000;
    console.log('top 5:', result.matches.map((m) => `${m.id} (${m.score?.toFixed(3)})`).join(', '));

    const best = result.matches[0];
    if (!best) throw new Error('the query found nothing');
    start = performance.now();
    const { records } = await index.fetch({ ids: [best.id] });
    const fetchSeconds = (performance.now() - start) / 1000;
    const distance = euclidean(target, records[best.id]?.values as number[]);
    console.log(`verify ${best.id}: distance ${distance.toFixed(4)} ${distance <= THRESHOLD ? '<=' : '>'} threshold ${THRESHOLD} → ${distance <= THRESHOLD ? 'verified' : 'not verified'}`);

    console.table([
      row('upsert, per chunk of 1,000', perChunk, REFERENCE.secondsPerChunk),
      row('query top_k=5', querySeconds, REFERENCE.secondsPerQuery),
      row('fetch by id + verify', fetchSeconds, REFERENCE.secondsPerQuery),
    ]);
    writeResult(args.get('out') ?? 'bench/results/reference-scenario.json', {
      machine: machineFacts(),
      records: RECORDS,
      chunk: CHUNK,
      server: args.has('url') ? 'given' : 'child process, temp dir, default settings',
      upsert: { seconds_in_requests: upsertSeconds, wall_seconds: wallSeconds, seconds_per_chunk: perChunk, chunk_seconds: chunkSeconds },
      query_top5_seconds: querySeconds,
      fetch_seconds: fetchSeconds,
      verified: { id: best.id, distance, threshold: THRESHOLD },
      reference: REFERENCE,
      speedup: { upsert_per_chunk: REFERENCE.secondsPerChunk / perChunk, query: REFERENCE.secondsPerQuery / querySeconds, fetch: REFERENCE.secondsPerQuery / fetchSeconds },
    });
  } finally {
    await cleanup();
  }
}

if (args.has('serve')) await serve(args.get('serve') as string);
else await main();
