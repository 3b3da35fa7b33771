import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Storage } from '../../../src/vector/storage/sqlite-log.js';
import type { SegmentBatch } from '../../../src/vector/storage/types.js';
import { numberedBatch, plainBatch } from './fixtures/batches.js';
import { at } from '../../helpers/checked.js';

const CHILD = fileURLToPath(new URL('./fixtures/append-until-killed.ts', import.meta.url));
const INDEX = 'crash';
const BATCH_SIZE = 200;
const DIMENSION = 16;
const KILL_AFTER_ACKS = 40;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fv-storage-crash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the appending child, SIGKILLs it once it has acknowledged enough batches, returns the acknowledged numbers. */
function appendUntilKilled(): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, INDEX, String(BATCH_SIZE), String(DIMENSION)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const acknowledged = (): number[] => stdout.split('\n').filter((line) => line !== '').map(Number);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (acknowledged().length >= KILL_AFTER_ACKS) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended with ${signal ?? 'no signal'} before being killed: ${stderr}`));
      else resolve(acknowledged());
    });
  });
}

test('after kill -9, reopening replays every acknowledged batch completely and no partial batch', async () => {
  const acknowledged = await appendUntilKilled();
  expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
  expect(acknowledged).toEqual(acknowledged.map((_, i) => i));
  const lastAcknowledged = at(acknowledged, acknowledged.length - 1);

  const storage = Storage.open(dir);
  const replayed: SegmentBatch[] = [];
  storage.replay(INDEX, (entry) => {
    if (entry.kind === 'upsert') replayed.push(entry.batch);
  });
  // Every acknowledged batch, plus at most the one committed between its commit and its print.
  expect(replayed.length).toBeGreaterThanOrEqual(lastAcknowledged + 1);
  expect(replayed.length).toBeLessThanOrEqual(lastAcknowledged + 2);
  replayed.forEach((batch, number) => {
    expect(plainBatch(batch)).toEqual(plainBatch(numberedBatch(number, BATCH_SIZE, DIMENSION, number * BATCH_SIZE + 1)));
  });
  expect(storage.lastSeq(INDEX)).toBe(replayed.length * BATCH_SIZE);
  storage.close();
});
