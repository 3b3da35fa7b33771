import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, findSnapshot, removeSnapshotFiles, writeSnapshot } from '../../../src/vector/ann/snapshot-store.js';
import type { GraphConfig } from '../../../src/vector/ann/usearch.js';
import { HNSW } from './fixtures.js';
import { at } from '../../helpers/checked.js';

const config: GraphConfig = { dimension: 4, metric: 'cosine', hnsw: HNSW };
const graphBytes = Buffer.from('not really a graph, but bytes to keep safe');
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fv-ann-snap-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function save(generation: number, maxKey = 42) {
  return writeSnapshot(dir, { generation, maxKey, count: 7, config }, (path) => writeFileSync(path, graphBytes));
}

function editManifest(edit: (manifest: Record<string, unknown>) => void): void {
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
}

describe('snapshot files', () => {
  it('finds what was written, with size and checksum', async () => {
    const written = save(1);
    expect(written).toMatchObject({ formatVersion: '1.0', generation: 1, graphFile: 'graph-00000001.usearch', graphBytes: graphBytes.length, maxKey: 42, count: 7 });
    const found = await findSnapshot(dir, config);
    expect(found.manifest).toEqual(written);
    expect(readdirSync(dir).sort()).toEqual([MANIFEST_FILE, 'graph-00000001.usearch']);
  });

  it('reports no snapshot in an empty directory, silently', async () => {
    expect(await findSnapshot(dir, config)).toEqual({ manifest: undefined, ignoredBecause: undefined });
  });

  it('sets aside a graph file with flipped bytes (same size)', async () => {
    const { graphFile } = save(1);
    const bytes = readFileSync(join(dir, graphFile));
    bytes[5] = at(bytes, 5) ^ 0xff;
    writeFileSync(join(dir, graphFile), bytes);
    expect((await findSnapshot(dir, config)).manifest).toBeUndefined();
    expect(await findSnapshot(dir, config)).toMatchObject({ ignoredBecause: expect.stringContaining('SHA-256') });
  });

  it('sets aside a truncated or missing graph file', async () => {
    const { graphFile } = save(1);
    truncateSync(join(dir, graphFile), 3);
    expect(await findSnapshot(dir, config)).toMatchObject({ ignoredBecause: expect.stringContaining('3 bytes') });
    rmSync(join(dir, graphFile));
    expect((await findSnapshot(dir, config)).manifest).toBeUndefined();
  });

  it('sets aside a manifest that is not JSON, lacks the magic or is malformed', async () => {
    save(1);
    writeFileSync(join(dir, MANIFEST_FILE), '{"magic": "facevault-ann-gr');
    expect(await findSnapshot(dir, config)).toMatchObject({ ignoredBecause: expect.stringContaining('not JSON') });
    save(2);
    editManifest((m) => (m.magic = 'something-else'));
    expect(await findSnapshot(dir, config)).toMatchObject({ ignoredBecause: expect.stringContaining('magic') });
    save(3);
    editManifest((m) => (m.maxKey = -1));
    expect(await findSnapshot(dir, config)).toMatchObject({ ignoredBecause: expect.stringContaining('malformed') });
  });

  it('refuses another major format version with FV_ERR_STORAGE_VERSION, and accepts a newer minor', async () => {
    save(1);
    editManifest((m) => (m.formatVersion = '1.7'));
    expect((await findSnapshot(dir, config)).manifest).toBeDefined();
    editManifest((m) => (m.formatVersion = '2.0'));
    await expect(findSnapshot(dir, config)).rejects.toMatchObject({ code: 'FV_ERR_STORAGE_VERSION' });
  });

  it('sets aside a graph built with other settings, but not for another efSearch', async () => {
    save(1);
    expect((await findSnapshot(dir, { ...config, hnsw: { ...HNSW, efSearch: 99 } })).manifest).toBeDefined();
    const found = await findSnapshot(dir, { ...config, dimension: 8, hnsw: { ...HNSW, quantization: 'i8' } });
    expect(found).toMatchObject({ ignoredBecause: expect.stringMatching(/dimension 4 \(now 8\).*quantization f32 \(now i8\)/) });
  });

  it('removes leftovers but keeps the named graph and the manifest', async () => {
    save(1);
    const { graphFile } = save(2);
    writeFileSync(join(dir, 'graph-00000003.usearch.tmp'), 'half');
    writeFileSync(join(dir, 'unrelated.txt'), 'not ours');
    await removeSnapshotFiles(dir, graphFile);
    expect(readdirSync(dir).sort()).toEqual([MANIFEST_FILE, graphFile, 'unrelated.txt']);
    await removeSnapshotFiles(dir);
    expect(readdirSync(dir)).toEqual(['unrelated.txt']);
  });
});
