/**
 * Issue 12.7: a full disk and a read-only data directory reach the user as coded errors with one
 * clear sentence (FV_ERR_STORAGE_FULL 507, FV_ERR_STORAGE_READONLY), not as FV_ERR_INTERNAL
 * or a stack trace. The real cases run on a 2 MiB tmpfs (root may mount one; skipped otherwise).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fvError, isFacevaultError, type ErrorCode } from '../../../src/errors.js';
import { AnnIndex } from '../../../src/vector/ann/ann-index.js';
import { openDatabase } from '../../../src/vector/database.js';
import { Storage } from '../../../src/vector/storage/sqlite-log.js';
import { asStorageError } from '../../../src/vector/storage/storage-errors.js';
import { indexConfig, numberedBatch } from './fixtures/batches.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const OPEN_AS = fileURLToPath(new URL('./fixtures/open-storage.ts', import.meta.url));
const NOBODY = 65_534;

function errnoError(code: string): Error {
  return Object.assign(new Error(`${code}: failed`), { code });
}

function codeOf(run: () => unknown): ErrorCode | string {
  try {
    run();
  } catch (err) {
    return isFacevaultError(err) ? err.code : String(err);
  }
  return 'no error';
}

describe('asStorageError', () => {
  it.each([
    [new Database.SqliteError('database or disk is full', 'SQLITE_FULL'), 'FV_ERR_STORAGE_FULL'],
    [errnoError('ENOSPC'), 'FV_ERR_STORAGE_FULL'],
    [errnoError('EDQUOT'), 'FV_ERR_STORAGE_FULL'],
    [new Database.SqliteError('attempt to write a readonly database', 'SQLITE_READONLY'), 'FV_ERR_STORAGE_READONLY'],
    [new Database.SqliteError('unable to open database file', 'SQLITE_CANTOPEN'), 'FV_ERR_STORAGE_READONLY'],
    [errnoError('EROFS'), 'FV_ERR_STORAGE_READONLY'],
    [errnoError('EACCES'), 'FV_ERR_STORAGE_READONLY'],
    [new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT'), 'FV_ERR_STORAGE_CORRUPT'],
    [new Database.SqliteError('database is locked', 'SQLITE_BUSY'), 'FV_ERR_STORAGE_LOCKED'],
  ] as const)('maps %s to %s', (err, code) => {
    const mapped = asStorageError(err, '/data/ann/faces/graph.usearch');
    expect(isFacevaultError(mapped, code)).toBe(true);
    expect((mapped as Error).cause).toBe(err);
  });

  it('names the directory and what to do; 507 for a full disk', () => {
    const full = asStorageError(errnoError('ENOSPC'), '/data/ann/faces/graph.usearch') as Error & { status: number };
    expect(full.status).toBe(507);
    expect(full.message).toBe(
      'the disk holding /data/ann/faces is full (ENOSPC writing /data/ann/faces/graph.usearch): the write was not applied; free space or move the data directory, then retry',
    );
  });

  it('passes other errors through unchanged', () => {
    const plain = new Error('boom');
    const coded = fvError('FV_ERR_CLOSED', 'closed');
    expect(asStorageError(plain, '/data')).toBe(plain);
    expect(asStorageError(coded, '/data')).toBe(coded);
    expect(asStorageError(errnoError('ENOENT'), '/data')).toMatchObject({ code: 'ENOENT' });
  });
});

/** Mounts a tmpfs of `size` on a fresh directory; undefined where this process may not mount. */
function mountTmpfs(size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'fv-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

const canMount = (() => {
  const probe = mountTmpfs('64k');
  if (probe === undefined) return false;
  execFileSync('umount', [probe]);
  rmSync(probe, { recursive: true });
  return true;
})();

describe.skipIf(!canMount)('on a 2 MiB tmpfs', () => {
  let mount: string;
  let dir: string;
  beforeEach(() => {
    mount = mountTmpfs('2m') as string;
    dir = join(mount, 'data');
  });
  afterEach(() => {
    execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('a full disk fails the write with FV_ERR_STORAGE_FULL and keeps every acknowledged batch', () => {
    const storage = Storage.open(dir);
    storage.createIndex(indexConfig('faces', 128));
    let acknowledged = 0;
    let failure: unknown;
    for (; acknowledged < 100; acknowledged++) {
      try {
        storage.appendUpsert('faces', '', numberedBatch(acknowledged, 500, 128, acknowledged * 500 + 1));
      } catch (err) {
        failure = err;
        break;
      }
    }
    expect(isFacevaultError(failure, 'FV_ERR_STORAGE_FULL'), String(failure)).toBe(true);
    expect((failure as Error & { status: number }).status).toBe(507);
    expect((failure as Error).message).toMatch(new RegExp(`^the disk holding ${mount}/data is full \\(SQLITE_FULL writing ${dir}/facevault\\.db\\)`));
    expect(acknowledged).toBeGreaterThan(0);
    expect(storage.lastSeq('faces')).toBe(acknowledged * 500);
    let replayed = 0;
    storage.replay('faces', () => replayed++);
    expect(replayed).toBe(acknowledged);
    storage.close();
  });

  it('through the database: the upsert is refused with FV_ERR_STORAGE_FULL and nothing of it is visible', async () => {
    const db = await openDatabase(dir);
    await db.createIndex({ name: 'faces', dimension: 128, metric: 'cosine', engine: 'exact' });
    const index = db.index('faces');
    let batch = 0;
    let failure: unknown;
    for (; batch < 100 && failure === undefined; batch++) {
      const records = Array.from({ length: 500 }, (_, i) => ({ id: `b${batch}-r${i}`, values: Array.from({ length: 128 }, (_, d) => batch + i + d) }));
      await index.upsert({ records }).catch((err: unknown) => (failure = err));
    }
    expect(isFacevaultError(failure, 'FV_ERR_STORAGE_FULL'), String(failure)).toBe(true);
    const refused = batch - 1;
    expect((await index.fetch({ ids: [`b${refused}-r0`] })).records).toEqual({});
    expect((await index.describeIndexStats()).totalRecordCount).toBe(refused * 500);
    await db.close();
  });

  it('a graph snapshot that finds the disk full stops the builder with FV_ERR_STORAGE_FULL, leaves no partial file and keeps the last snapshot searchable', async () => {
    const dimension = 64;
    const vectors = Float32Array.from({ length: 4_000 * dimension }, (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
    const ann = await AnnIndex.open({ dir, dimension, metric: 'euclidean', hnsw: { m: 16, efConstruction: 64, efSearch: 32, quantization: 'f32' } });
    ann.enqueue([1, 2, 3], vectors.subarray(0, 3 * dimension));
    await ann.flush();
    // What is left of the 2 MiB cannot hold a snapshot of 4,000 × 64 floats (1 MB of vectors alone).
    writeFileSync(join(mount, 'filler'), Buffer.alloc(1_500_000));
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    ann.enqueue(Array.from({ length: 3_997 }, (_, i) => i + 4), vectors.subarray(3 * dimension));
    const failure = await ann.flush().catch((err: unknown) => err);
    expect(isFacevaultError(failure, 'FV_ERR_STORAGE_FULL'), String(failure)).toBe(true);
    expect((failure as Error).message).toMatch(new RegExp(`^HNSW builder stopped: the disk holding ${mount} is full \\(ENOSPC writing ${dir}\\)`));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('is full'));
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(ann.searchableThrough).toBe(3);
    expect([...ann.search(vectors.subarray(dimension, 2 * dimension), 1).keys]).toEqual([2]);
    await ann.close();
  });

  it('a read-only file system is one sentence naming the directory, at open and from `facevault serve`', async () => {
    const storage = Storage.open(dir);
    storage.createIndex(indexConfig('faces', 4));
    storage.close();
    execFileSync('mount', ['-o', 'remount,ro', mount]);

    const err = (() => {
      try {
        Storage.open(dir);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(isFacevaultError(err, 'FV_ERR_STORAGE_READONLY'), String(err)).toBe(true);
    expect((err as Error).message).toBe(
      `cannot write ${dir} (EROFS): facevault keeps its database, write-ahead log and manifest in the data directory and must be able to write there; ` +
        'make it writable for the user running facevault, or choose another directory with --data',
    );
    expect(codeOf(() => Storage.open(join(mount, 'new')))).toBe('FV_ERR_STORAGE_READONLY');

    const serve = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--data', dir, '--no-auth', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    serve.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => serve.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(`facevault: ${(err as Error).message}\n`);
  });
});

describe.skipIf(process.getuid?.() !== 0)('a directory this user may not write (chmod, as uid nobody)', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'fv-chmod-'));
    chmodSync(parent, 0o755);
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('is FV_ERR_STORAGE_READONLY naming the directory, for an existing directory and for one to create', async () => {
    const existing = join(parent, 'data');
    mkdirSync(existing, { mode: 0o555 });
    chmodSync(existing, 0o555);
    for (const dir of [existing, join(existing, 'inner')]) {
      const child = spawn(process.execPath, ['--import', 'tsx', OPEN_AS, dir], { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TSX_DISABLE_CACHE: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise((resolve) => child.on('close', resolve));
      expect(stdout, stderr).toBe(`FV_ERR_STORAGE_READONLY cannot write ${dir} (EACCES)\n`);
    }
  });
});
