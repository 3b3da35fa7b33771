/**
 * Issue 12.5: storage damage after kill -9 must be refused at open, reported by `facevault doctor`
 * and repaired by `facevault doctor --recover` keeping every intact batch. Each case writes
 * through the public API in a child process that kills itself before any checkpoint, so every
 * commit is still in the write-ahead log when the damage is done.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../src/errors.js';
import { openDatabase } from '../../src/vector/database.js';
import { DAMAGE_BATCH_SIZE, DAMAGE_INDEX, damageBatch } from '../vector/storage/fixtures/damage-fixture.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { at } from '../helpers/checked.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const WRITER = fileURLToPath(new URL('../vector/storage/fixtures/upsert-then-kill.ts', import.meta.url));
const BATCHES = 20;
const DB = 'facevault.db';
const WAL = 'facevault.db-wal';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function node(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const doctor = (dir: string, ...flags: string[]) => node([MAIN, 'doctor', '--data', dir, ...flags]);

/** Frames of the log as (offset, page number); header fields are big-endian (sqlite.org/fileformat2.html#walformat). */
function walFrames(path: string): { offset: number; page: number }[] {
  const log = readFileSync(path);
  const frameBytes = 24 + log.readUInt32BE(8);
  const frames = [];
  for (let offset = 32; offset + frameBytes <= log.length; offset += frameBytes) frames.push({ offset, page: log.readUInt32BE(offset) });
  return frames;
}

/**
 * Inverts 64 bytes inside the page of the log's middle frame among those whose page is written
 * once: an overflow page of one batch's segment, so exactly that batch is damaged, while SQLite's
 * recovery stops there and would drop every commit after it.
 */
function flipMiddleOfWal(dir: string): void {
  const path = join(dir, WAL);
  const frames = walFrames(path);
  const writes = new Map<number, number>();
  for (const { page } of frames) writes.set(page, (writes.get(page) ?? 0) + 1);
  const once = frames.filter(({ page }) => writes.get(page) === 1);
  const target = at(once, Math.floor(once.length / 2));
  const log = readFileSync(path);
  const start = target.offset + 24 + 1024;
  for (let i = start; i < start + 64; i++) log[i] = at(log, i) ^ 0xff;
  writeFileSync(path, log);
}

function truncateWalToHalf(dir: string): void {
  const fd = openSync(join(dir, WAL), 'r+');
  ftruncateSync(fd, Math.floor(statSync(join(dir, WAL)).size / 2));
  closeSync(fd);
}

function hashes(dir: string): Record<string, string> {
  const files = readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile());
  return Object.fromEntries(files.map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]));
}

/** The batches the database holds whole and exact; a batch held in part fails the test. */
async function batchesHeld(dir: string): Promise<number[]> {
  const db = await openDatabase(dir);
  try {
    const index = db.index(DAMAGE_INDEX.name);
    const held: number[] = [];
    for (let batch = 0; batch < BATCHES; batch++) {
      const expected = damageBatch(batch);
      const { records } = await index.fetch({ ids: expected.map((record) => record.id) });
      const found = Object.keys(records).length;
      if (found === 0) continue;
      expect(found, `batch ${batch} is held in part`).toBe(DAMAGE_BATCH_SIZE);
      for (const record of expected) {
        expect(records[record.id]?.values).toEqual(record.values);
        expect(records[record.id]?.metadata).toEqual(record.metadata);
      }
      held.push(batch);
    }
    return held;
  } finally {
    await db.close();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('facevault doctor after damage to a data directory killed before its checkpoint', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('fv-doctor-');
  });
  afterEach(() => tmp.cleanup());

  const cases = [
    {
      damage: 'flips 64 bytes in the middle of the write-ahead log',
      apply: flipMiddleOfWal,
      reported: /fails its checksum at frame \d+ of \d+; SQLite reads none of the commits after it/,
      // Every batch but the one whose page was hit, including those SQLite itself would drop.
      kept: (held: number[]) => expect(held).toHaveLength(BATCHES - 1),
    },
    {
      damage: 'truncates the write-ahead log to half its size',
      apply: truncateWalToHalf,
      reported: /ends inside a frame: it was truncated/,
      // The commits in the half that is left: a prefix of the batches.
      kept: (held: number[]) => {
        expect(held.length).toBeGreaterThan(0);
        expect(held.length).toBeLessThan(BATCHES);
        expect(held).toEqual(range(held.length));
      },
    },
    {
      damage: 'empties facevault.db',
      apply: (dir: string) => writeFileSync(join(dir, DB), ''),
      reported: /facevault\.db is missing or empty, but the manifest records generation \d+ \(index "faces": 20 segments, 8000 records\)/,
      kept: (held: number[]) => expect(held).toEqual(range(BATCHES)),
    },
    {
      damage: 'deletes facevault.db',
      apply: (dir: string) => rmSync(join(dir, DB)),
      reported: /facevault\.db is missing or empty, but its write-ahead log holds \d+ committed transactions/,
      kept: (held: number[]) => expect(held).toEqual(range(BATCHES)),
    },
  ];

  it.each(cases)('$damage: open refuses and changes nothing, doctor reports it, --recover keeps every intact batch', async ({ apply, reported, kept }) => {
    const writer = await node([WRITER, tmp.dir, String(BATCHES)]);
    expect(writer.signal, writer.stderr).toBe('SIGKILL');
    expect(writer.stdout.trim().split('\n')).toEqual(range(BATCHES).map(String));
    expect(statSync(join(tmp.dir, WAL)).size, 'the commits are still in the write-ahead log').toBeGreaterThan(0);
    apply(tmp.dir);
    const damaged = hashes(tmp.dir);

    const refused = await openDatabase(tmp.dir).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isFacevaultError(refused, 'FV_ERR_STORAGE_DAMAGED'), String(refused)).toBe(true);
    expect((refused as Error).message).toMatch(reported);
    expect((refused as Error).message).toContain(`facevault doctor --data ${tmp.dir}`);
    expect(hashes(tmp.dir), 'a refused open changes no file').toEqual(damaged);

    const report = await doctor(tmp.dir);
    expect(report.code, report.stderr).toBe(1);
    expect(report.stdout).toMatch(/^DAMAGED:$/m);
    expect(report.stdout).toMatch(reported);
    expect(hashes(tmp.dir), 'doctor changes no file').toEqual(damaged);

    const recovery = await doctor(tmp.dir, '--recover');
    expect(recovery.code, recovery.stderr).toBe(0);
    const aside = readdirSync(tmp.dir).filter((name) => name.startsWith('damaged-'));
    expect(aside).toHaveLength(1);
    expect(hashes(join(tmp.dir, at(aside, 0))), 'the damaged files are moved aside as they were').toEqual(damaged);

    const held = await batchesHeld(tmp.dir);
    kept(held);
    const lost = BATCHES - held.length;
    expect(recovery.stdout).toContain(
      `index "faces": kept ${held.length} segments, ${held.length * DAMAGE_BATCH_SIZE} records of 20 segments, 8000 records recorded; ` +
        `lost ${lost} segments, ${lost * DAMAGE_BATCH_SIZE} records`,
    );
    const healthy = await doctor(tmp.dir);
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(healthy.stdout).toMatch(/^healthy$/m);
  });

  it('reports a healthy directory with its files, manifest and counts, and exits 0; --recover then does nothing', async () => {
    const db = await openDatabase(tmp.dir);
    await db.createIndex(DAMAGE_INDEX);
    await db.index(DAMAGE_INDEX.name).upsert({ records: damageBatch(0) });
    await db.close();
    const report = await doctor(tmp.dir, '--json');
    expect(report.code, report.stderr).toBe(0);
    const json = JSON.parse(report.stdout) as { healthy: boolean; diagnosis: { files: { name: string }[]; manifest: unknown; database: { tally: unknown; integrity: string[] } } };
    expect(json.healthy).toBe(true);
    expect(json.diagnosis.files.map((file) => file.name)).toEqual(['facevault.db', 'facevault.manifest']);
    expect(json.diagnosis.manifest).toEqual({ generation: 2, indexes: { faces: { segments: 1, records: DAMAGE_BATCH_SIZE } } });
    expect(json.diagnosis.database.tally).toEqual({ faces: { segments: 1, records: DAMAGE_BATCH_SIZE } });
    expect(json.diagnosis.database.integrity).toEqual(['ok']);

    const recovery = await doctor(tmp.dir, '--recover');
    expect(recovery.code).toBe(0);
    expect(recovery.stdout).toMatch(/^nothing to recover$/m);
    expect(readdirSync(tmp.dir).some((name) => name.startsWith('damaged-'))).toBe(false);
  });

  it('refuses to examine a directory a running database holds', async () => {
    const db = await openDatabase(tmp.dir);
    try {
      const report = await doctor(tmp.dir);
      expect(report.code).toBe(1);
      expect(report.stderr).toMatch(/^facevault: .*facevault\.db is in use by another facevault process/);
    } finally {
      await db.close();
    }
  });
});
