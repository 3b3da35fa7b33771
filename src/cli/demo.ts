/**
 * `facevault demo` (`npm run demo`): the reference scenario on a fresh embedded store, each
 * step's time printed beside Pinecone's (see demo-scenario.ts).
 *
 *   facevault demo                           # temporary data directory, removed afterwards
 *   facevault demo --data ./demo-data --keep # keep it to explore: facevault subjects list --data ./demo-data
 */
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { fvError } from '../errors.js';
import { FacePipeline } from '../face/pipeline.js';
import { Gallery } from '../recognition/gallery.js';
import { openEmbeddedStore } from '../stores/embedded-store.js';
import { MAX_BATCH } from '../stores/vector-store.js';
import { demoPhotos, runDemo, type DemoStep } from './demo-scenario.js';
import { PINECONE_REFERENCE } from './pinecone-reference.js';
import { wholeNumber } from './gallery-session.js';

interface DemoFlags {
  data?: string;
  keep?: boolean;
  datasets?: string;
  synthetic: string;
  workers?: string;
  waitForGraph?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Enroll real photos, add 100,000 synthetic records, identify, fetch and verify — timed beside the Pinecone reference')
    .option('--data <dir>', 'a new or empty data directory [default: a temporary one, removed afterwards]')
    .option('--keep', 'keep the data directory afterwards')
    .option('--datasets <dir>', 'folder holding deepface/ [env FACEVAULT_DATASETS; default ../shared/datasets]; without it, the face-api sample photos from npm are used')
    .option('--synthetic <n>', 'synthetic records to add, in chunks of 1,000', '100000')
    .option('--workers <n>', 'face pipeline worker threads [default one per core]')
    .option('--wait-for-graph', 'wait for the HNSW graph to hold every record before the approximate query (minutes at 100K × 512-d on two cores)')
    .action(async (flags: DemoFlags) => {
      const synthetic = wholeNumber(flags.synthetic, '--synthetic');
      const workers = flags.workers === undefined ? undefined : wholeNumber(flags.workers, '--workers', 1);
      const dataDir = freshDataDir(flags.data);
      const temporary = flags.data === undefined && !flags.keep;
      const photos = await demoPhotos(resolve(flags.datasets ?? (process.env.FACEVAULT_DATASETS || '../shared/datasets')));
      const out = (line: string) => process.stdout.write(`${line}\n`);
      out(`facevault demo — photos: ${photos.label}`);
      out(`data directory: ${dataDir}${temporary ? ' (temporary)' : ''}\n`);
      out(`${'step'.padEnd(STEP_WIDTH)}  ${'facevault'.padStart(10)}  ${'Pinecone'.padStart(10)}  speed-up`);

      const allStarted = performance.now();
      let started = performance.now();
      const pipeline = await FacePipeline.create({ workers });
      const store = await openEmbeddedStore(dataDir);
      try {
        const gallery = await Gallery.open({ store, pipeline });
        const threads = workers ?? availableParallelism();
        printStep(out, { step: `load the face models (${threads} worker${threads === 1 ? '' : 's'}), open the store`, seconds: (performance.now() - started) / 1000 });
        const outcome = await runDemo({ store, pipeline, gallery, photos, synthetic, waitForGraph: flags.waitForGraph ?? false, onStep: (step) => printStep(out, step) });
        started = performance.now();
        await store.close();
        printStep(out, { step: 'close (saves the HNSW graph built so far)', seconds: (performance.now() - started) / 1000 });
        const referenceUpsert = (synthetic / MAX_BATCH) * PINECONE_REFERENCE.secondsPerChunk;
        out(`\nwhole demo: ${formatSeconds((performance.now() - allStarted) / 1000)}; on Pinecone the upsert alone took ${formatSeconds(referenceUpsert)}`);
        if (outcome.verification?.verified === false) process.exitCode = 1;
      } finally {
        await store.close();
        await pipeline.close();
        if (temporary) rmSync(dataDir, { recursive: true, force: true });
      }
    });
}

const STEP_WIDTH = 62;

function printStep(out: (line: string) => void, step: DemoStep): void {
  const name = step.step.length > STEP_WIDTH ? `${step.step.slice(0, STEP_WIDTH - 1)}…` : step.step;
  const reference = step.reference === undefined ? '' : formatSeconds(step.reference);
  const speedup = step.reference === undefined ? '' : `${Math.round(step.reference / Math.max(step.seconds, 1e-6)).toLocaleString('en-US')}×`;
  out(`${name.padEnd(STEP_WIDTH)}  ${formatSeconds(step.seconds).padStart(10)}  ${reference.padStart(10)}  ${speedup}`);
  if (step.detail) out(`${''.padEnd(4)}${step.detail}`);
}

function formatSeconds(seconds: number): string {
  if (seconds >= 120) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds >= 1) return `${seconds.toFixed(2)} s`;
  if (seconds >= 0.001) return `${(seconds * 1000).toFixed(1)} ms`;
  return `${(seconds * 1e6).toFixed(0)} µs`;
}

/** A temporary directory, or the one given if it is new or empty (the demo measures a fresh store). */
function freshDataDir(given: string | undefined): string {
  if (given === undefined) return mkdtempSync(join(tmpdir(), 'facevault-demo-'));
  const dir = resolve(given);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `--data ${dir} is not empty; the demo needs a new or empty directory`, { flag: '--data', dir });
  }
  return dir;
}
