/**
 * Automatic compaction and the event loop (issue 12.3): 100K × 128 records with a small metadata
 * object, all overwritten once, which starts a compaction; while it runs in steps, the event
 * loop's delay is sampled. The peer, in the same run: the same rewrite as one transaction (what
 * a compaction was before it ran in steps), timed on the same log.
 * Run: `npx tsx bench/compaction.ts [--records N]`. Prints a table, writes bench/results/compaction.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase } from '../src/vector/database.js';
import { ManifestFile } from '../src/vector/storage/manifest.js';
import { Storage } from '../src/vector/storage/sqlite-log.js';
import { seededRandom } from '../src/util/seeded-random.js';

const recordsArg = process.argv.indexOf('--records');
const RECORDS = recordsArg > 0 ? Number(process.argv[recordsArg + 1]) : 100_000;
const DIMENSION = 128;
const next = seededRandom(11);

function batch(first: number, round: number) {
  return Array.from({ length: 1_000 }, (_, i) => ({
    id: `face-${first + i}`,
    values: Array.from({ length: DIMENSION }, () => next() * 2 - 1),
    metadata: { subject: `person-${(first + i) % 5_000}`, round, source: 'bench' },
  }));
}

const dir = mkdtempSync(join(tmpdir(), 'fv-compaction-'));
try {
  const db = await openDatabase(dir);
  await db.createIndex({ name: 'faces', dimension: DIMENSION, metric: 'cosine' });
  const index = db.index('faces');
  for (let first = 0; first < RECORDS; first += 1_000) await index.upsert({ records: batch(first, 0) });
  for (let first = 0; first < RECORDS - 1_000; first += 1_000) await index.upsert({ records: batch(first, 1) });

  // The last overwrite tips dead versions over live records: the compaction starts with it.
  const segments = () => ManifestFile.read(dir)?.indexes.faces?.segments ?? 0;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  await index.upsert({ records: batch(RECORDS - 1_000, 1) });
  let turns = 0;
  // Done when the log holds one segment per 1,000 live records again.
  while (segments() > RECORDS / 1_000) {
    await new Promise((resolve) => setImmediate(resolve));
    turns++;
  }
  const steppedSeconds = (performance.now() - started) / 1000;
  delay.disable();
  await db.close();

  // The peer: the live records rewritten as one transaction (what a compaction did before it ran
  // in steps): the compacted log holds exactly them, so rewriting it whole writes the same data.
  const storage = Storage.open(dir);
  const onePiece = performance.now();
  const entries = storage.readSegments('faces', '', 0, Infinity, Infinity);
  storage.rewriteSegments('faces', '', entries.map((entry) => entry.row), entries.flatMap((entry) => (entry.kind === 'upsert' ? [entry.batch] : [])));
  const onePieceSeconds = (performance.now() - onePiece) / 1000;
  storage.close();

  const ms = (ns: number) => ns / 1e6;
  const result = {
    benchmark: 'compaction', records: RECORDS, dimension: DIMENSION, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version,
    date: new Date().toISOString(), command: `npx tsx bench/compaction.ts${recordsArg > 0 ? ` --records ${RECORDS}` : ''}`,
    stepped: { seconds: steppedSeconds, turns, loopDelayMaxMs: ms(delay.max), loopDelayP99Ms: ms(delay.percentile(99)), loopDelayP50Ms: ms(delay.percentile(50)) },
    oneTransaction: { seconds: onePieceSeconds, blocksLoopMs: onePieceSeconds * 1000 },
    longestBlockVsOneTransaction: ms(delay.max) / (onePieceSeconds * 1000),
  };
  console.log(`compaction of ${RECORDS} live + ${RECORDS} dead versions × ${DIMENSION}-d`);
  console.log(`  in steps:         ${steppedSeconds.toFixed(2)} s over ${turns} turns; longest event-loop block ${ms(delay.max).toFixed(1)} ms, p99 ${ms(delay.percentile(99)).toFixed(1)} ms, p50 ${ms(delay.percentile(50)).toFixed(1)} ms`);
  console.log(`  one transaction:  ${onePieceSeconds.toFixed(2)} s, all of it blocking (peer, same run)`);
  console.log(`  longest block / one transaction: ${result.longestBlockVsOneTransaction.toFixed(3)}`);
  const resultsDir = new URL('./results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL('compaction.json', resultsDir), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
