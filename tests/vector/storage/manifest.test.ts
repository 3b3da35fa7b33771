import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../../src/errors.js';
import { findContradictions } from '../../../src/vector/storage/consistency.js';
import { generationsAhead, MANIFEST_FILE_NAME, ManifestFile, type ManifestState } from '../../../src/vector/storage/manifest.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const state = (generation: number, records = generation * 10): ManifestState => ({ generation, indexes: { faces: { segments: generation, records } } });

describe('ManifestFile', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('fv-manifest-');
  });
  afterEach(() => tmp.cleanup());
  const path = () => join(tmp.dir, MANIFEST_FILE_NAME);

  it('reads nothing in a directory without one, and the newest state written after', () => {
    expect(ManifestFile.read(tmp.dir)).toBeUndefined();
    const file = ManifestFile.open(tmp.dir, state(0));
    expect(ManifestFile.read(tmp.dir)).toEqual(state(0));
    for (let generation = 1; generation <= 5; generation++) file.write(state(generation));
    file.close();
    expect(ManifestFile.read(tmp.dir)).toEqual(state(5));
    // two 4 KiB slots, written in place
    expect(statSync(path()).size).toBe(8192);
  });

  it('falls back to the other slot when the newest is torn, as a write cut by a crash leaves it', () => {
    const file = ManifestFile.open(tmp.dir, state(0));
    file.write(state(1)); // slot 1
    file.write(state(2)); // slot 0
    file.close();
    const fd = openSync(path(), 'r+');
    writeSync(fd, Buffer.from('{"generation":9'), 0, 15, 20);
    closeSync(fd);
    expect(ManifestFile.read(tmp.dir)).toEqual(state(1));
    // the next write goes to the torn slot, never over the state it fell back to
    const reopened = ManifestFile.open(tmp.dir, state(1));
    reopened.write(state(3));
    reopened.close();
    expect(ManifestFile.read(tmp.dir)).toEqual(state(3));
  });

  it('is FV_ERR_STORAGE_DAMAGED when neither slot is readable, naming the file and doctor', () => {
    ManifestFile.open(tmp.dir, state(4)).close();
    writeFileSync(path(), Buffer.alloc(8192, 0x41));
    let thrown: unknown;
    try {
      ManifestFile.read(tmp.dir);
    } catch (err) {
      thrown = err;
    }
    expect(isFacevaultError(thrown, 'FV_ERR_STORAGE_DAMAGED')).toBe(true);
    expect((thrown as Error).message).toContain(`${path()} is unreadable`);
    expect((thrown as Error).message).toContain(`facevault doctor --data ${tmp.dir}`);
  });

  it('is FV_ERR_STORAGE_VERSION when written by another major version', () => {
    ManifestFile.open(tmp.dir, state(1)).close();
    const bytes = readFileSync(path());
    for (const slot of [0, 4096]) {
      // a newer build's slot: major 2, with its checksum (over the 16-byte header and the body)
      bytes.writeUInt16LE(2, slot + 8);
      const body = bytes.subarray(slot + 20, slot + 20 + bytes.readUInt32LE(slot + 12));
      bytes.writeUInt32LE(crc32(body, crc32(bytes.subarray(slot, slot + 16))), slot + 16);
    }
    writeFileSync(path(), bytes);
    expect(() => ManifestFile.read(tmp.dir)).toThrow(expect.objectContaining({ code: 'FV_ERR_STORAGE_VERSION' }));
  });

  it('grows its slots when the state outgrows them, keeping it readable', () => {
    const file = ManifestFile.open(tmp.dir, state(0));
    const indexes = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`index-${i}`, { segments: 1e9 + i, records: 1e12 + i }]));
    file.write({ generation: 1, indexes });
    file.write({ generation: 2, indexes });
    file.close();
    expect(ManifestFile.read(tmp.dir)).toEqual({ generation: 2, indexes });
    expect(statSync(path()).size).toBeGreaterThan(8192);
  });
});

describe('generationsAhead', () => {
  it('compares the header\'s 32 bits with the manifest\'s count across the wrap', () => {
    expect(generationsAhead(7, 7)).toBe(0);
    expect(generationsAhead(8, 7)).toBe(1);
    expect(generationsAhead(5, 9)).toBe(-4);
    expect(generationsAhead(2, 2 ** 32 - 1)).toBe(3);
    expect(generationsAhead(2 ** 32 - 1, 2 ** 32 + 2)).toBe(-3);
  });
});

describe('findContradictions', () => {
  const manifest = state(10, 4000);
  const disk = { dbBytes: 65_536, wal: undefined };

  it('accepts a database at or ahead of the manifest (a crash between commit and manifest write leaves it one ahead)', () => {
    expect(findContradictions(manifest, { ...disk, generation: 10, tally: new Map([['faces', { segments: 10, records: 4000 }]]) })).toEqual([]);
    expect(findContradictions(manifest, { ...disk, generation: 11, tally: new Map([['faces', { segments: 11, records: 4400 }]]) })).toEqual([]);
    expect(findContradictions(undefined, { ...disk, generation: 3 })).toEqual([]);
  });

  it('names missing commits, a missing index and counts that differ at the same generation', () => {
    expect(findContradictions(manifest, { ...disk, generation: 7 })[0]).toMatch(
      /^the manifest records generation 10 \(index "faces": 10 segments, 4000 records\), but facevault\.db with its write-ahead log holds only generation 7: the last 3 acknowledged commits are missing/,
    );
    expect(findContradictions(manifest, { ...disk, generation: 10, tally: new Map() })).toEqual([
      'index "faces" (10 segments, 4000 records in the manifest) is missing from facevault.db',
    ]);
    expect(findContradictions(manifest, { ...disk, generation: 10, tally: new Map([['faces', { segments: 9, records: 3600 }], ['other', { segments: 0, records: 0 }]]) })).toEqual([
      'index "faces" holds 9 segments, 3600 records, the manifest records 10 segments, 4000 records',
      'index "other" is in facevault.db but not in the manifest',
    ]);
  });

  it('names an empty or missing database file beside a manifest', () => {
    expect(findContradictions(manifest, { dbBytes: 0, wal: undefined, generation: undefined })).toEqual([
      'facevault.db is missing or empty, but the manifest records generation 10 (index "faces": 10 segments, 4000 records)',
    ]);
  });
});
