/**
 * The gallery on real faces that ship with npm (face-api's group photos): enroll, identify,
 * verify by id, subjects, erase — over the embedded store in a fresh directory.
 *
 * Enrolled: every face of sample1, sample2 and sample4, subject `s<photo>-<face>`. Sample6's
 * largest face (cosine distance > 0.75 from every enrolled face) is the stranger.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../src/face/models/registry.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { Gallery } from '../../src/recognition/gallery.js';
import { contentHash } from '../../src/recognition/face-record.js';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/stores/embedded-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { filesHolding } from '../stores/files-holding.js';
import { faceCrop, samplePhoto } from './face-api-samples.js';
import { at, atLeast } from '../helpers/checked.js';
import { seededRandom } from '../../src/util/seeded-random.js';

let pipeline: FacePipeline;
let tmp: ReturnType<typeof makeTempDir>;
let store: EmbeddedStore;
let gallery: Gallery;
const hashOf = async (n: number) => contentHash(await readFile(samplePhoto(n)));

/** A unit vector at cosine distance `distance` from the unit vector `from`. */
function atCosineDistance(from: Float32Array, distance: number): Float32Array {
  // A unit vector orthogonal to `from`: the first axis with `from`'s component removed.
  const across = from.map((v, i) => (i === 0 ? 1 : 0) - at(from, 0) * v);
  const norm = Math.hypot(...across);
  const cos = 1 - distance, sin = Math.sqrt(1 - cos * cos);
  return from.map((v, i) => cos * v + (sin * at(across, i)) / norm);
}

async function reopen(): Promise<void> {
  await store.close();
  store = await openEmbeddedStore(tmp.dir);
  gallery = await Gallery.open({ store, pipeline });
}

beforeAll(async () => {
  pipeline = await FacePipeline.create({ workers: 1 });
  tmp = makeTempDir('facevault-gallery-');
  store = await openEmbeddedStore(tmp.dir);
  gallery = await Gallery.open({ store, pipeline });
  for (const n of [1, 2, 4]) await gallery.enrollPhoto(samplePhoto(n), (face) => `s${n}-${face}`, { faces: 'all' });
});

afterAll(async () => {
  await store?.close();
  await pipeline?.close();
  tmp?.cleanup();
});

describe('Gallery on face-api sample photos', () => {
  it('stores one record per face under the model index, with a content-hash id and the metadata', async () => {
    expect(gallery.indexName).toBe('faces-faceplugin-arcface');
    expect(await gallery.subjects()).toEqual(['s1-0', 's1-1', 's1-2', 's2-0', 's2-1', 's2-2', 's4-0', 's4-1', 's4-2', 's4-3'].map((subject) => ({ subject, faces: 1 })));
    const record = await gallery.getRecord(`${await hashOf(2)}-1`);
    expect(record).toMatchObject({ subject: 's2-1', source: samplePhoto(2), model: 'faceplugin-arcface', detectorScore: expect.any(Number) });
    expect(record?.box.w).toBeGreaterThan(100);
    expect(Date.parse(record?.enrolledAt ?? '')).toBeGreaterThan(Date.now() - 600_000);
  });

  it('changes nothing when the same photo is enrolled again, under any name or subject', async () => {
    const before = await gallery.getRecord(`${await hashOf(1)}-0`);
    const again = await gallery.enrollPhoto({ bytes: await readFile(samplePhoto(1)), source: 'copy.jpg' }, 'someone else', { faces: 'all' });
    expect(again).toEqual({ source: 'copy.jpg', status: 'already-enrolled', subject: 's1-0', recordIds: [0, 1, 2].map((i) => `${at(again.recordIds, 0).slice(0, -2)}-${i}`) });
    expect(await gallery.getRecord(`${await hashOf(1)}-0`)).toEqual(before);
    expect((await gallery.storeIndex.stats()).totalRecordCount).toBe(10);

    // Two copies of one photo enrolled at the same time: one is enrolled, the other finds it.
    const bytes = await faceCrop(pipeline, 6, 1);
    const copies = await Promise.all([gallery.enrollPhoto({ bytes, source: 'a.jpg' }, 'Twin'), gallery.enrollPhoto({ bytes, source: 'b.jpg' }, 'Twin')]);
    expect(copies.map((c) => c.status).sort()).toEqual(['already-enrolled', 'enrolled']);
    expect(await gallery.countFaces('Twin')).toBe(1);

    // The same photo through two galleries on one store (two servers): no shared process memory,
    // the store's conditional write keeps the first enrollment and the other reports it.
    const otherServer = await Gallery.open({ store, pipeline });
    const crop = await faceCrop(pipeline, 6, 2);
    const raced = await Promise.all([gallery.enrollPhoto({ bytes: crop, source: 'one.jpg' }, 'Raced'), otherServer.enrollPhoto({ bytes: crop, source: 'two.jpg' }, 'Raced again')]);
    expect(raced.map((outcome) => outcome.status).sort()).toEqual(['already-enrolled', 'enrolled']);
    const winner = raced.find((outcome) => outcome.status === 'enrolled');
    expect(raced.map((outcome) => outcome.subject)).toEqual([winner?.subject, winner?.subject]);
    expect((await gallery.subjects()).filter(({ subject }) => subject.startsWith('Raced'))).toEqual([{ subject: winner?.subject, faces: 1 }]);
  });

  it('identifies every face of a mirrored, resized copy of an enrolled photo, exactly and approximately alike', async () => {
    const target = await sharp(samplePhoto(2)).flop().resize({ width: 900 }).jpeg({ quality: 85 }).toBuffer();
    const exact = await gallery.identify(target, { exact: true });
    expect(exact.faces).toHaveLength(3);
    expect(exact.faces.map((f) => (f.identity.status === 'known' ? f.identity.subject : 'unknown')).sort()).toEqual(['s2-0', 's2-1', 's2-2']);
    for (const face of exact.faces) {
      expect(face.identity).toMatchObject({ distance: expect.any(Number), confidence: expect.any(Number) });
      if (face.identity.status === 'known') expect(face.identity.confidence).toBeGreaterThan(90);
    }
    const approximate = await gallery.identify(target, { exact: false });
    expect(approximate.faces.map((f) => f.identity)).toEqual(exact.faces.map((f) => f.identity));
    expect(exact).toMatchObject({ model: 'faceplugin-arcface', metric: 'cosine', thresholdSource: 'fpir', fpirTarget: 0.01, gallerySize: await gallery.faceCount() });
    expect(exact.fpir).toBeLessThanOrEqual(0.01);
    expect(exact.threshold).toBe(gallery.thresholdFor(exact.gallerySize).threshold);
  });

  it("answers 'unknown' for a stranger, with the nearest subjects beyond the threshold as candidates", async () => {
    const stranger = await faceCrop(pipeline, 6, 0);
    const result = await gallery.identify(stranger, { exact: true });
    const [face] = atLeast(result.faces, 1);
    expect(face.identity).toEqual({ status: 'unknown' });
    expect(face.candidates.length).toBeGreaterThan(0);
    expect(face.candidates.length).toBeLessThanOrEqual(5);
    expect(face.candidates[0]?.distance).toBeGreaterThan(result.threshold);
    expect(face.candidates[0]?.confidence).toBeLessThan(50);
    expect(face.candidates[0]?.probability).toBeLessThan(0.01);
  });

  it('holds the target FPIR at the gallery size: the threshold tightens as the gallery grows; an explicit threshold is used as given', async () => {
    const growing = await Gallery.open({ store, pipeline, name: 'thresholds' });
    const probe = await faceCrop(pipeline, 2, 0, (image) => image.resize({ width: 360 }));
    const [{ embedding }] = atLeast(await pipeline.represent(probe), 1);
    // The probe's own person, stored at 0.47: within the threshold of a small gallery, beyond the one of 5,000 faces.
    await growing.storeIndex.upsert([{ id: 'own-0', values: atCosineDistance(embedding, 0.47), metadata: { subject: 'Own' } }], { namespace: growing.name });
    const small = await growing.identify(probe, { exact: true });
    // One face would hold 1 % at ~0.75, looser than the 1:1 verification threshold: the latter caps it.
    expect(small).toMatchObject({ gallerySize: 1, thresholdSource: 'fpir', fpirTarget: 0.01, threshold: 0.68 });
    expect(small.fpir).toBeLessThan(0.01);
    expect(small.faces[0]?.identity).toMatchObject({ status: 'known', subject: 'Own', probability: expect.any(Number) });

    // 4,999 strangers: random unit vectors, far from everyone.
    const random = seededRandom(11);
    const strangers = Array.from({ length: 4_999 }, (_, i) => {
      const values = Float32Array.from({ length: embedding.length }, () => random() - 0.5);
      const norm = Math.hypot(...values);
      return { id: `stranger-${i}`, values: values.map((v) => v / norm), metadata: { subject: `stranger-${i}` } };
    });
    for (let i = 0; i < strangers.length; i += 1_000) await growing.storeIndex.upsert(strangers.slice(i, i + 1_000), { namespace: growing.name });
    const large = await growing.identify(probe, { exact: true });
    expect(large.gallerySize).toBe(5_000);
    expect(large.threshold).toBeLessThan(small.threshold);
    expect(large.threshold).toBeLessThan(0.47);
    expect(large.faces[0]?.identity).toEqual({ status: 'unknown' });
    // Still the first candidate, for a reviewer, with a lower probability than in the small gallery.
    const [own] = atLeast(large.faces[0]?.candidates ?? [], 1);
    expect(own).toMatchObject({ subject: 'Own', distance: expect.closeTo(0.47, 4) });
    const ownBefore = small.faces[0]?.candidates[0]?.probability ?? 0;
    expect(own.probability).toBeLessThan(ownBefore);
    expect(large.faces[0]?.candidates.length).toBe(5);
    expect((await growing.identify(probe, { exact: true, candidates: 2 })).faces[0]?.candidates).toHaveLength(2);
    // A stricter target, a lower threshold.
    expect((await growing.identify(probe, { exact: true, fpir: 0.001 })).threshold).toBeLessThan(large.threshold);

    const explicit = await growing.identify(probe, { exact: true, threshold: 0.5 });
    expect(explicit).toMatchObject({ threshold: 0.5, thresholdSource: 'explicit', fpirTarget: null });
    expect(explicit.fpir).toBeGreaterThan(0.01);
    expect(explicit.faces[0]?.identity).toMatchObject({ status: 'known', subject: 'Own' });
    expect(await growing.verifyRecord(probe, 'own-0')).toMatchObject({ verified: true, threshold: growing.model.thresholds.cosine });
    await expect(growing.identify(probe, { threshold: -0.1 })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
    await expect(growing.identify(probe, { fpir: 1 })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
    await expect(growing.identify(probe, { candidates: 0 })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
  });

  it('a model without a fitted open-set model keeps its fixed identification threshold and says so', async () => {
    const dlib = await Gallery.open({ store, model: 'dlib-resnet-128' });
    expect(dlib.thresholdFor(1_000)).toEqual({ threshold: resolveModel('dlib-resnet-128').identificationThreshold, thresholdSource: 'fixed', fpirTarget: null, fpir: null });
  });

  it('verifies a photo against a stored record by id, and refuses an unknown id', async () => {
    const probe = await faceCrop(pipeline, 2, 0, (image) => image.resize({ width: 360 }));
    const same = await gallery.verifyRecord(probe, `${await hashOf(2)}-0`);
    expect(same).toMatchObject({ verified: true, similarityMetric: 'cosine', record: { subject: 's2-0' } });
    expect(same.distance).toBeLessThan(same.threshold);
    const other = await gallery.verifyRecord(probe, `${await hashOf(1)}-0`);
    expect(other.verified).toBe(false);
    await expect(gallery.verifyRecord(probe, 'no-such-record')).rejects.toMatchObject({ code: 'FV_ERR_RECORD_NOT_FOUND' });
  });

  it('renames a subject on all its faces, and merges onto an existing one only when asked', async () => {
    expect(await gallery.renameSubject('s1-0', 'Alice')).toBe(1);
    const [face] = atLeast((await gallery.identify(await faceCrop(pipeline, 1, 0), { exact: true })).faces, 1);
    expect(face.identity).toMatchObject({ status: 'known', subject: 'Alice' });
    await expect(gallery.renameSubject('Alice', 's1-1')).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('merge') });
    expect(await gallery.renameSubject('s1-2', 'Alice', { merge: true })).toBe(1);
    expect(await gallery.countFaces('Alice')).toBe(2);
    expect(await gallery.countFaces('s1-0')).toBe(0);
    await expect(gallery.renameSubject('nobody', 'x')).rejects.toMatchObject({ code: 'FV_ERR_SUBJECT_NOT_FOUND' });
    await expect(gallery.renameSubject('Alice', '')).rejects.toMatchObject({ code: 'FV_ERR_SUBJECT_NAME' });
  });

  it('refuses a photo without a face, and one with several faces where one is required (or skips it)', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a9cc6' } }).jpeg().toBuffer();
    await expect(gallery.enrollPhoto({ bytes: blank, source: 'sky.jpg' }, 'nobody')).rejects.toMatchObject({ code: 'FV_ERR_NO_FACE' });
    await expect(gallery.identify(blank)).rejects.toMatchObject({ code: 'FV_ERR_NO_FACE' });
    await expect(gallery.enrollPhoto(samplePhoto(6), 'group')).rejects.toMatchObject({ code: 'FV_ERR_MULTIPLE_FACES' });
    expect(await gallery.enrollPhoto(samplePhoto(6), 'group', { onMultipleFaces: 'skip' })).toMatchObject({ status: 'skipped', recordIds: [], error: { code: 'FV_ERR_MULTIPLE_FACES' } });
    expect(await gallery.countFaces('group')).toBe(0);
    await expect(gallery.enrollPhoto(samplePhoto(6), '  ')).rejects.toMatchObject({ code: 'FV_ERR_SUBJECT_NAME' });
    await expect(gallery.eraseSubject('nobody')).rejects.toMatchObject({ code: 'FV_ERR_SUBJECT_NOT_FOUND' });
  });

  it('enrolls a batch, stops when interrupted, resumes skipping what is enrolled, and reports the photos it could not enroll', async () => {
    const photos = makeTempDir('facevault-photos-');
    const folder = join(photos.dir, 'Erin');
    mkdirSync(folder);
    const items = [];
    for (let face = 0; face < 3; face++) {
      writeFileSync(join(folder, `${face}.jpg`), await faceCrop(pipeline, 5, face));
      items.push({ path: join(folder, `${face}.jpg`), source: `Erin/${face}.jpg`, subject: `s5-${face}` });
    }
    writeFileSync(join(folder, 'sky.png'), await sharp({ create: { width: 200, height: 200, channels: 3, background: '#88aadd' } }).png().toBuffer());
    writeFileSync(join(folder, 'broken.jpg'), 'not an image');
    items.push({ path: join(folder, 'sky.png'), source: 'Erin/sky.png', subject: 'Erin' }, { path: join(folder, 'broken.jpg'), source: 'Erin/broken.jpg', subject: 'Erin' });

    const interrupt = new AbortController();
    const first = await gallery.enroll(items, { concurrency: 1, signal: interrupt.signal, onProgress: () => interrupt.abort() });
    expect(first).toMatchObject({ photos: 1, enrolled: 1, faces: 1, interrupted: true });

    const second = await gallery.enroll(items, { concurrency: 2 });
    expect(second).toMatchObject({ photos: 5, enrolled: 2, alreadyEnrolled: 1, failed: 2, skipped: 0, faces: 2, interrupted: false });
    expect(second.problems.map((p) => [p.source, p.error?.code]).sort()).toEqual([['Erin/broken.jpg', 'FV_ERR_IMAGE_DECODE'], ['Erin/sky.png', 'FV_ERR_NO_FACE']]);
    expect(await gallery.enroll(items)).toMatchObject({ enrolled: 0, alreadyEnrolled: 3, failed: 2 });
    photos.cleanup();
  });

  it('erases a subject: nothing of it can be fetched, listed or matched, and nothing is left in the data files', async () => {
    const id = `${await hashOf(4)}-1`;
    const stored = await gallery.storeIndex.fetch([id], { namespace: gallery.name });
    const vectorBytes = new Uint8Array(stored.get(id)!.values.buffer, 0, 64);
    const probe = await faceCrop(pipeline, 4, 1);
    expect((await gallery.identify(probe, { exact: true })).faces[0]?.identity).toMatchObject({ subject: 's4-1' });
    // Wait for the graph so its snapshot files hold the vector too (the files the erase must clean).
    await store.database.index(gallery.indexName).namespace(gallery.name).flush();
    await reopen();
    expect(filesHolding(tmp.dir, '"subject":"s4-1"')).not.toEqual([]);
    // The segment log holds the face's vector before the erase (a gallery this small has no HNSW
    // graph: it is scanned exactly; tests/stores/embedded-store.test.ts covers the graph's files).
    expect(filesHolding(tmp.dir, vectorBytes).map((path) => path.includes(`${sep}ann${sep}`)).sort()).toEqual([false]);

    expect(await gallery.eraseSubject('s4-1')).toBe(1);
    expect(await gallery.getRecord(id)).toBeUndefined();
    expect((await gallery.storeIndex.list({ namespace: gallery.name, prefix: id })).records).toEqual([]);
    expect((await gallery.subjects()).map((s) => s.subject)).not.toContain('s4-1');
    for (const exact of [true, false]) {
      const [face] = atLeast((await gallery.identify(probe, { exact })).faces, 1);
      expect(face.candidates.map((c) => c.subject)).not.toContain('s4-1');
    }
    await expect(gallery.eraseSubject('s4-1')).rejects.toMatchObject({ code: 'FV_ERR_SUBJECT_NOT_FOUND' });
    const others = await gallery.subjects();
    expect(others.find((s) => s.subject === 's4-0')).toEqual({ subject: 's4-0', faces: 1 });

    await store.close();
    expect(filesHolding(tmp.dir, '"subject":"s4-1"')).toEqual([]);
    expect(filesHolding(tmp.dir, vectorBytes)).toEqual([]);
    await reopen();
    expect(await gallery.getRecord(id)).toBeUndefined();
    expect((await gallery.identify(probe, { exact: true })).faces[0]?.candidates.map((c) => c.subject)).not.toContain('s4-1');
  });
});

describe('Gallery on a remote store', () => {
  it("counts the gallery once for identifies in a row, and again after an enroll through it (the size feeds the FPIR threshold; on PostgreSQL a count is a scan)", async () => {
    let counts = 0;
    const bound = <T extends object>(target: T, prop: string | symbol): unknown => {
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    };
    // The embedded store dressed as a remote one, counting the gallery's size reads (stats without a filter).
    const remote = new Proxy(store, {
      get(target, prop) {
        if (prop === 'kind') return 'postgres';
        if (prop !== 'ensureIndex') return bound(target, prop);
        return async (spec: Parameters<EmbeddedStore['ensureIndex']>[0]) =>
          new Proxy(await target.ensureIndex(spec), {
            get(index, name) {
              if (name !== 'stats') return bound(index, name);
              return (options?: { filter?: unknown }) => {
                if (options?.filter === undefined) counts++;
                return index.stats(options as never);
              };
            },
          });
      },
    });
    const remoteGallery = await Gallery.open({ store: remote, pipeline, name: 'remote-size' });
    await remoteGallery.enrollPhoto(samplePhoto(1), (face) => `r1-${face}`, { faces: 'all' });
    const first = await remoteGallery.identify(samplePhoto(6), { exact: true });
    const second = await remoteGallery.identify(samplePhoto(6), { exact: true });
    expect(counts).toBe(1);
    expect(second.gallerySize).toBe(first.gallerySize);
    await remoteGallery.enrollPhoto(samplePhoto(2), (face) => `r2-${face}`, { faces: 'all' });
    const third = await remoteGallery.identify(samplePhoto(6), { exact: true });
    expect(counts).toBe(2);
    expect(third.gallerySize).toBeGreaterThan(first.gallerySize);
  });
});
