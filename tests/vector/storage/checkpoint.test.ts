/**
 * Acknowledged commits must reach the database file soon, not wait in the write-ahead log for
 * 16 MiB to gather there (issue 12.5): after the checkpoint timer has fired, losing the whole
 * log loses nothing. And every commit is recorded in the manifest at once.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase } from '../../../src/vector/database.js';
import { ManifestFile } from '../../../src/vector/storage/manifest.js';
import { Storage, STORAGE_FILE_NAME } from '../../../src/vector/storage/sqlite-log.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { DAMAGE_BATCH_SIZE, DAMAGE_INDEX, damageBatch } from './fixtures/damage-fixture.js';
import { indexConfig, numberedBatch } from './fixtures/batches.js';
import { at } from '../../helpers/checked.js';

const CHILD = fileURLToPath(new URL('./fixtures/upsert-wait-kill.ts', import.meta.url));
const BATCHES = 5;

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('fv-checkpoint-');
});
afterEach(() => tmp.cleanup());

it('records each commit in the manifest: generation and counts per index', () => {
  const storage = Storage.open(tmp.dir);
  expect(ManifestFile.read(tmp.dir)).toEqual({ generation: 0, indexes: {} });
  storage.createIndex(indexConfig('faces', 4));
  storage.appendUpsert('faces', '', numberedBatch(0, 3, 4, 1));
  storage.appendUpsert('faces', 'team', numberedBatch(1, 2, 4, 4));
  storage.appendDelete('faces', '', ['b0-r0']);
  expect(ManifestFile.read(tmp.dir)).toEqual({ generation: 4, indexes: { faces: { segments: 3, records: 5 } } });
  storage.rewriteSegments('faces', '', storage.readSegments('faces', '', 0, Infinity, Infinity).map((segment) => segment.row), [numberedBatch(0, 2, 4, 2)]);
  storage.deleteNamespace('faces', 'team');
  expect(ManifestFile.read(tmp.dir)).toEqual({ generation: 6, indexes: { faces: { segments: 1, records: 2 } } });
  storage.appendUpsert('faces', '', numberedBatch(2, 0, 4, 9)); // empty: no commit
  storage.deleteIndex('faces');
  storage.close();
  expect(ManifestFile.read(tmp.dir)).toEqual({ generation: 7, indexes: {} });
  const reopened = Storage.open(tmp.dir);
  reopened.close();
});

it('checkpoints about a second after a commit, so that an emptied write-ahead log loses nothing acknowledged', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, tmp.dir, String(BATCHES), '1500'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
  expect(signal, stderr).toBe('SIGKILL');
  // Every commit was copied into facevault.db before the kill: the log can go.
  writeFileSync(join(tmp.dir, `${STORAGE_FILE_NAME}-wal`), '');

  const db = await openDatabase(tmp.dir);
  try {
    const index = db.index(DAMAGE_INDEX.name);
    expect((await index.describeIndexStats()).totalRecordCount).toBe(BATCHES * DAMAGE_BATCH_SIZE);
    const last = at(damageBatch(BATCHES - 1), 7);
    const { records } = await index.fetch({ ids: [last.id] });
    expect(records[last.id]?.values).toEqual(last.values);
  } finally {
    await db.close();
  }
});
