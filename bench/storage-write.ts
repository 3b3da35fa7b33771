/**
 * Durable write and replay speed of the vector log (src/vector/storage).
 *
 *   npx tsx bench/storage-write.ts [--runs 3]
 *
 * Upserts 100K × 128-d in batches of 1,000 through Storage (synchronous normal and full) and,
 * in the same run, through the peer it replaces: a row per record with INSERT ... ON CONFLICT
 * in transactions of 1,000. Then replays 100K and 1M records, and compacts 100K. Prints a table,
 * writes bench/results/storage-write.json. Medians of `--runs` interleaved runs; the machine is
 * shared, so read the ratio more than the absolute figures.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Storage, type SegmentBatch, type StorageOptions } from '../src/vector/storage/sqlite-log.js';
import type { IndexConfig } from '../src/vector/types.js';
import { at } from '../src/util/checked.js';

const DIMENSION = 128;
const BATCH = 1_000;
const RECORDS = 100_000;
const LARGE_RECORDS = 1_000_000;
const INDEX = 'bench';
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg === -1 ? 3 : Number(process.argv[runsArg + 1]);

const config: IndexConfig = {
  name: INDEX,
  dimension: DIMENSION,
  metric: 'cosine',
  engine: 'exact',
  deletionProtection: 'disabled',
  tags: {},
  hnsw: { m: 16, efConstruction: 64, efSearch: 32, quantization: 'f32' },
  createdAt: new Date(0).toISOString(),
};

// 100K distinct vectors; the 1M run cycles through them under new ids.
const vectors = new Float32Array(RECORDS * DIMENSION).map(() => Math.random() * 2 - 1);

function batchAt(first: number): SegmentBatch {
  const offset = (first % RECORDS) * DIMENSION;
  return {
    ids: Array.from({ length: BATCH }, (_, i) => `photo-${(first + i).toString(16).padStart(8, '0')}-face-0`),
    seqs: Float64Array.from({ length: BATCH }, (_, i) => first + i + 1),
    vectors: vectors.subarray(offset, offset + BATCH * DIMENSION),
    metadataJson: Array.from({ length: BATCH }, (_, i) => JSON.stringify({ subject: `person-${(first + i) % 5000}`, source: `img_${first + i}.jpg` })),
  };
}
const batches = Array.from({ length: RECORDS / BATCH }, (_, b) => batchAt(b * BATCH));

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fv-bench-storage-'));
}

function seconds(run: () => void): number {
  return timed(run)[1];
}

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, (performance.now() - start) / 1000];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? at(sorted, middle) : (at(sorted, middle - 1) + at(sorted, middle)) / 2;
}

interface WriteRun {
  seconds: number;
  bytesOpen: number;
  bytesClosed: number;
  dir: string;
}

function writeThroughStorage(options: StorageOptions, records = RECORDS): WriteRun {
  const dir = tempDir();
  const storage = Storage.open(dir, options);
  storage.createIndex(config);
  const elapsed = seconds(() => {
    if (records === RECORDS) for (const batch of batches) storage.appendUpsert(INDEX, '', batch);
    else for (let first = 0; first < records; first += BATCH) storage.appendUpsert(INDEX, '', batchAt(first));
  });
  const bytesOpen = storage.diskBytes();
  storage.close();
  const reopened = Storage.open(dir);
  const bytesClosed = reopened.diskBytes();
  reopened.close();
  return { seconds: elapsed, bytesOpen, bytesClosed, dir };
}

/** The peer: a row per record, upserted with ON CONFLICT in transactions of 1,000 (WAL, NORMAL, default pages). */
function writeRowPerRecord(): WriteRun {
  const dir = tempDir();
  const file = join(dir, 'rows.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE records (namespace TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, vector BLOB NOT NULL, metadata TEXT, PRIMARY KEY (namespace, id))');
  const upsert = db.prepare(
    `INSERT INTO records (namespace, id, seq, vector, metadata) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (namespace, id) DO UPDATE SET seq = excluded.seq, vector = excluded.vector, metadata = excluded.metadata`,
  );
  const commit = db.transaction((batch: SegmentBatch) => {
    for (let i = 0; i < batch.ids.length; i++) {
      const values = batch.vectors.subarray(i * DIMENSION, (i + 1) * DIMENSION);
      upsert.run('', batch.ids[i], batch.seqs[i], Buffer.from(values.buffer, values.byteOffset, values.byteLength), batch.metadataJson[i] ?? null);
    }
  });
  const elapsed = seconds(() => {
    for (const batch of batches) commit(batch);
  });
  const sizeOf = (): number => (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  const bytesOpen = sizeOf();
  db.close();
  return { seconds: elapsed, bytesOpen, bytesClosed: bytesOpen, dir };
}

interface ReplayRun {
  openSeconds: number;
  replaySeconds: number;
  records: number;
}

/** Opens (format check + quick_check) and replays, counting records. */
function replay(dir: string): ReplayRun {
  const [storage, openSeconds] = timed(() => Storage.open(dir));
  let records = 0;
  const replaySeconds = seconds(() =>
    storage.replay(INDEX, (entry) => {
      if (entry.kind === 'upsert') records += entry.batch.ids.length;
    }),
  );
  storage.close();
  return { openSeconds, replaySeconds, records };
}

function compactAll(dir: string): number {
  const storage = Storage.open(dir);
  const elapsed = seconds(() => {
    const rows = storage.readSegments(INDEX, '', 0, Infinity, Infinity).map((segment) => segment.row);
    storage.rewriteSegments(INDEX, '', rows, batches);
    storage.eraseRemoved();
  });
  storage.close();
  return elapsed;
}

const samples = { normal: [] as WriteRun[], full: [] as WriteRun[], rowPerRecord: [] as WriteRun[] };
for (let run = 0; run < RUNS; run++) {
  samples.normal.push(writeThroughStorage({ synchronous: 'normal' }));
  samples.full.push(writeThroughStorage({ synchronous: 'full' }));
  samples.rowPerRecord.push(writeRowPerRecord());
}
const recordsPerSecond = (runs: WriteRun[]): number => RECORDS / median(runs.map((r) => r.seconds));
const write = {
  normal: recordsPerSecond(samples.normal),
  full: recordsPerSecond(samples.full),
  rowPerRecord: recordsPerSecond(samples.rowPerRecord),
};

const replaySmall = Array.from({ length: RUNS }, () => replay(at(samples.normal, 0).dir));
const compactSeconds = median(samples.normal.map((r) => compactAll(r.dir)));

const large = writeThroughStorage({ synchronous: 'normal' }, LARGE_RECORDS);
const replayLarge = Array.from({ length: RUNS }, () => replay(large.dir));

for (const runs of Object.values(samples)) for (const r of runs) rmSync(r.dir, { recursive: true, force: true });
rmSync(large.dir, { recursive: true, force: true });

const sqliteVersion = (() => {
  const db = new Database(':memory:');
  const version = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return version;
})();
const perRecord = (bytes: number, records: number): number => Math.round(bytes / records);
const results = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, sqlite: sqliteVersion },
  workload: { records: RECORDS, dimension: DIMENSION, batch: BATCH, runs: RUNS, rawBytesPerRecord: DIMENSION * 4 + 8 },
  writeRecordsPerSecond: { ...write, ratioNormalToRowPerRecord: write.normal / write.rowPerRecord, ratioFullToRowPerRecord: write.full / write.rowPerRecord },
  writeOfLarge: { records: LARGE_RECORDS, recordsPerSecond: LARGE_RECORDS / large.seconds },
  replay: {
    records100K: { openSeconds: median(replaySmall.map((r) => r.openSeconds)), replaySeconds: median(replaySmall.map((r) => r.replaySeconds)), recordsSeen: at(replaySmall, 0).records },
    records1M: { openSeconds: median(replayLarge.map((r) => r.openSeconds)), replaySeconds: median(replayLarge.map((r) => r.replaySeconds)), recordsSeen: at(replayLarge, 0).records },
  },
  compact100KSeconds: compactSeconds,
  diskBytesPerRecord: {
    storageOpen: perRecord(median(samples.normal.map((r) => r.bytesOpen)), RECORDS),
    storageClosed: perRecord(median(samples.normal.map((r) => r.bytesClosed)), RECORDS),
    storage1MClosed: perRecord(large.bytesClosed, LARGE_RECORDS),
    rowPerRecord: perRecord(median(samples.rowPerRecord.map((r) => r.bytesClosed)), RECORDS),
  },
};

const thousands = (n: number): string => `${Math.round(n / 1000)}K`;
const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
console.table({
  'upsert 100K×128, Storage normal': { value: `${thousands(write.normal)} rec/s`, ratio: `${results.writeRecordsPerSecond.ratioNormalToRowPerRecord.toFixed(2)}x peer` },
  'upsert 100K×128, Storage full': { value: `${thousands(write.full)} rec/s`, ratio: `${results.writeRecordsPerSecond.ratioFullToRowPerRecord.toFixed(2)}x peer` },
  'upsert 100K×128, row per record ON CONFLICT (peer)': { value: `${thousands(write.rowPerRecord)} rec/s`, ratio: '1.00x' },
  'upsert 1M×128, Storage normal': { value: `${thousands(results.writeOfLarge.recordsPerSecond)} rec/s`, ratio: '' },
  'open 100K (format + quick_check)': { value: ms(results.replay.records100K.openSeconds), ratio: '' },
  'replay 100K (checksums + decode)': { value: ms(results.replay.records100K.replaySeconds), ratio: '' },
  'open 1M (format + quick_check)': { value: ms(results.replay.records1M.openSeconds), ratio: '' },
  'replay 1M (checksums + decode)': { value: ms(results.replay.records1M.replaySeconds), ratio: '' },
  'compact 100K live records': { value: ms(compactSeconds), ratio: '' },
  'disk bytes/record, Storage (open: db + wal)': { value: `${results.diskBytesPerRecord.storageOpen}`, ratio: '' },
  'disk bytes/record, Storage (closed, 100K / 1M)': { value: `${results.diskBytesPerRecord.storageClosed} / ${results.diskBytesPerRecord.storage1MClosed}`, ratio: '' },
  'disk bytes/record, row per record': { value: `${results.diskBytesPerRecord.rowPerRecord}`, ratio: '' },
});

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(new URL('storage-write.json', resultsDir), `${JSON.stringify(results, null, 2)}\n`);
