/**
 * /register and /search (DeepFace's shapes plus the known / unknown verdict) and the gallery
 * resource routes, on a real server and port, with faces cut from the npm-shipped sample photos.
 *
 * Enrolled: faces 0 and 1 of sample4 as "ada" and "bob", face 0 of sample1 as "cy". The probe of
 * ada is another shot of her face (mirrored, resized, recompressed); the stranger is sample6's
 * largest face (far from every enrolled face, see tests/recognition/gallery.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxesOf, call, cropFace, dataUrl, form, otherShot, photo, type Reply } from './face-photos.js';
import { startHarness, type Harness } from './harness.js';
import { openSetModelFor, thresholdForFpir, type OpenSetModel } from '../../src/recognition/open-set.js';
import { at, atLeast, entry } from '../helpers/checked.js';

let h: Harness;
const faces: Record<'ada' | 'bob' | 'cy' | 'adaProbe' | 'stranger', Buffer> = {} as never;
let group: Buffer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

function expectError(reply: Reply, status: number, code: string, message?: RegExp): void {
  expect(reply.status).toBe(status);
  expect(reply.json.code).toBe(code);
  if (message) expect(reply.json.error).toMatch(message);
}

const search = (img: Buffer, extra: Record<string, unknown> = {}) => call(h, 'POST', '/search', { img: img.toString('base64'), ...extra });
const subjects = async (gallery = 'default') => (await call(h, 'GET', `/galleries/${gallery}/subjects`)).json.subjects;

describe('before any face is enrolled', () => {
  it('reads empty galleries without loading a model or creating an index', async () => {
    expect((await call(h, 'GET', '/galleries')).json).toEqual({ galleries: [] });
    expect(await call(h, 'GET', '/galleries/default/subjects')).toEqual({ status: 200, json: { gallery: 'default', model_name: 'faceplugin-arcface', subjects: [] } });
    expectError(await call(h, 'GET', '/galleries/default/records/abc-0'), 404, 'FV_ERR_RECORD_NOT_FOUND');
    expectError(await call(h, 'DELETE', '/galleries/default/subjects/ada'), 404, 'FV_ERR_SUBJECT_NOT_FOUND');
    expectError(await call(h, 'GET', '/galleries/default/subjects?model_name=Facenet'), 400, 'FV_ERR_MODEL_UNKNOWN');
    expect((await call(h, 'GET', '/indexes')).json.indexes).toEqual([]);
    expect(h.server.app.faces.pipelineStarted).toBe(false);
    expectError(await call(h, 'GET', '/galleries', undefined, null), 401, 'FV_ERR_UNAUTHORIZED');
  });
});

describe('register, search, and the gallery resources', () => {
  beforeAll(async () => {
    group = await photo(4);
    const [adaBox, bobBox] = atLeast(await boxesOf(h, group), 2);
    faces.ada = await cropFace(group, adaBox);
    faces.adaProbe = await cropFace(group, adaBox, otherShot);
    faces.bob = await cropFace(group, bobBox);
    const other = await photo(1);
    faces.cy = await cropFace(other, at(await boxesOf(h, other), 0));
    const strangers = await photo(6);
    faces.stranger = await cropFace(strangers, at(await boxesOf(h, strangers), 0));
  });

  it('registers one face per photo under img_name (or identity), as JSON, multipart or data URL', async () => {
    const ada = await call(h, 'POST', '/register', { img: faces.ada.toString('base64'), img_name: 'ada' });
    expect(ada.status).toBe(200);
    expect(ada.json).toEqual({
      inserted: 1,
      status: 'enrolled',
      img_name: 'ada',
      ids: [expect.stringMatching(/^[0-9a-f]{32}-0$/)],
      gallery: 'default',
      model_name: 'faceplugin-arcface',
      served_by: { model: 'faceplugin-arcface', detector: 'faceplugin' },
    });
    ids.ada = ada.json.ids[0];
    const bob = await call(h, 'POST', '/register', form({ img: { bytes: faces.bob, filename: 'bob.jpg' }, img_name: 'bob', model_name: 'ArcFace', align: 'true' }));
    expect(bob.json).toMatchObject({ inserted: 1, img_name: 'bob' });
    ids.bob = bob.json.ids[0];
    const cy = await call(h, 'POST', '/register', { img: dataUrl(faces.cy), identity: 'cy' });
    expect(cy.json).toMatchObject({ inserted: 1, img_name: 'cy' });

    // The same photo again, under any name: nothing changes.
    expect((await call(h, 'POST', '/register', { img: dataUrl(faces.ada), img_name: 'someone else' })).json).toMatchObject({ inserted: 0, status: 'already-enrolled', img_name: 'ada', ids: [ids.ada] });
  });

  it('creates the gallery index once when the first requests of a fresh server race for it: none answers 409', async () => {
    const fresh = await startHarness();
    try {
      const raced = await Promise.all(
        (['ada', 'bob', 'cy', 'stranger'] as const).map((name) => call(fresh, 'POST', '/register', { img: faces[name].toString('base64'), img_name: name })),
      );
      expect(raced.map((reply) => [reply.status, reply.json.status])).toEqual(Array.from({ length: 4 }, () => [200, 'enrolled']));
      expect((await call(fresh, 'GET', '/indexes')).json.indexes).toHaveLength(1);
      // Without img_name, as DeepFace: every face of the photo is stored, named by the file name, else a UUID
      const unnamed = await call(fresh, 'POST', '/register', { img: group.toString('base64'), gallery: 'unnamed' });
      expect(unnamed.json).toMatchObject({ inserted: 4, status: 'enrolled', img_name: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const named = await call(fresh, 'POST', '/register', form({ img: { bytes: faces.cy, filename: 'cy-2024.jpg' }, gallery: 'unnamed' }));
      expect(named.json).toMatchObject({ inserted: 1, img_name: 'cy-2024.jpg' });
    } finally {
      await fresh.stop();
    }
  });

  it('refuses what it cannot enroll: a group photo under one name, the whole image', async () => {
    const img = group.toString('base64');
    expectError(await call(h, 'POST', '/register', { img, img_name: 'group' }), 400, 'FV_ERR_MULTIPLE_FACES', /^img: /);
    expectError(await call(h, 'POST', '/register', { img, img_name: 'x', enforce_detection: false }), 400, 'FV_ERR_INVALID_ARGUMENT', /enforce_detection: false is not supported here/);
    expectError(await call(h, 'POST', '/register', { img: '/home/ada.jpg', img_name: 'x' }), 400, 'FV_ERR_IMAGE_INPUT');
    expect(await subjects()).toEqual([{ subject: 'ada', faces: 1 }, { subject: 'bob', faces: 1 }, { subject: 'cy', faces: 1 }]);
  });

  it('finds an enrolled person in another shot, exactly and approximately, in DeepFace\'s rows and as a verdict', async () => {
    for (const search_method of ['exact', 'ann'] as const) {
      const { status, json } = await search(faces.adaProbe, { search_method });
      expect(status).toBe(200);
      expect(json.identities).toEqual([
        { verdict: 'known', img_name: 'ada', id: ids.ada, distance: expect.any(Number), confidence: expect.any(Number), facial_area: expect.any(Object), face_confidence: expect.any(Number) },
      ]);
      expect(json.identities[0].confidence).toBeGreaterThan(90);
      expect(json.results).toHaveLength(1);
      expect(json.results[0]).toHaveLength(1);
      expect(json.results[0][0]).toMatchObject({
        id: ids.ada,
        img_name: 'ada',
        model_name: 'faceplugin-arcface',
        search_method,
        distance_metric: 'cosine',
        // The default threshold holds FPIR 1 % at the gallery's size (3 faces here), capped at the 1:1 verification threshold.
        threshold: expect.closeTo(Math.min(thresholdForFpir(openSetModelFor('faceplugin-arcface') as OpenSetModel, 0.01, 3), 0.68), 9),
        target_w: json.identities[0].facial_area.w,
        matches: 1,
      });
    }
  });

  it('says unknown for a stranger; similarity_search still lists the nearest subjects', async () => {
    const { json } = await search(faces.stranger);
    expect(json.identities[0]).toMatchObject({ verdict: 'unknown', img_name: null, id: null, distance: null });
    expect(json.results).toEqual([[]]);
    const nearest = await search(faces.stranger, { similarity_search: true, k: 2 });
    expect(nearest.json.results[0]).toHaveLength(2);
    for (const row of nearest.json.results[0]) expect(row.distance).toBeGreaterThan(0.68);
  });

  it('answers for every face of a group photo, largest first', async () => {
    const { json } = await search(group);
    expect(json.identities.map((face: { img_name: string | null }) => face.img_name)).toEqual(['ada', 'bob', null, null]);
    expect(json.results.map((rows: unknown[]) => rows.length)).toEqual([1, 1, 0, 0]);
  });

  it('lists galleries and subjects, reads a stored face, verifies a photo against it', async () => {
    expect((await call(h, 'GET', '/galleries')).json).toEqual({ galleries: [{ name: 'default', model_name: 'faceplugin-arcface', index: 'faces-faceplugin-arcface', faces: 3 }] });
    const record = await call(h, 'GET', `/galleries/default/records/${ids.bob}`);
    expect(record.json).toMatchObject({ id: ids.bob, gallery: 'default', subject: 'bob', source: 'bob.jpg', model_name: 'faceplugin-arcface', box: { w: expect.any(Number) } });
    expect(Date.parse(record.json.enrolled_at)).toBeGreaterThan(Date.now() - 600_000);

    const same = await call(h, 'POST', '/galleries/default/verify', { img: faces.adaProbe.toString('base64'), id: ids.ada });
    expect(same.json).toMatchObject({ verified: true, similarity_metric: 'cosine', facial_areas: { img2: null }, record: { subject: 'ada' } });
    const other = await call(h, 'POST', '/galleries/default/verify', form({ img: { bytes: faces.adaProbe, filename: 'probe.jpg' }, id: entry(ids, 'bob') }));
    expect(other.json).toMatchObject({ verified: false, record: { subject: 'bob' } });
    expectError(await call(h, 'POST', '/galleries/default/verify', { img: faces.adaProbe.toString('base64'), id: 'nope-0' }), 404, 'FV_ERR_RECORD_NOT_FOUND');
  });

  it('identifies a photo with the threshold that holds the target FPIR at the gallery size, and a candidate list with probabilities', async () => {
    const found = await call(h, 'POST', '/galleries/default/identify', { img: faces.adaProbe.toString('base64'), exact: true, candidates: 2 });
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ gallery: 'default', model_name: 'faceplugin-arcface', metric: 'cosine', threshold_source: 'fpir', fpir_target: 0.01, threshold: 0.68, gallery_size: 3 });
    // Three faces would hold 1 % at a looser threshold than verification's: capped, it holds less.
    expect(found.json.fpir).toBeLessThan(0.01);
    const [face] = atLeast(found.json.faces as { verdict: string; subject: string; probability: number; candidates: { subject: string; probability: number }[] }[], 1);
    expect(face).toMatchObject({ verdict: 'known', subject: 'ada', probability: expect.any(Number) });
    expect(face.candidates).toHaveLength(2);
    expect(face.candidates[0]).toMatchObject({ subject: 'ada', id: ids.ada, distance: expect.any(Number), confidence: expect.any(Number), matches: 1 });
    expect(at(face.candidates, 0).probability).toBeGreaterThan(at(face.candidates, 1).probability);
    const explicit = await call(h, 'POST', '/galleries/default/identify', form({ img: { bytes: faces.stranger, filename: 's.jpg' }, threshold: '0.3', fpir: '0.001' }));
    expect(explicit.json).toMatchObject({ threshold: 0.3, threshold_source: 'explicit', fpir_target: null, faces: [{ verdict: 'unknown', subject: null }] });
    expectError(await call(h, 'POST', '/galleries/default/identify', { img: faces.adaProbe.toString('base64'), fpir: 1 }), 400, 'FV_ERR_INVALID_ARGUMENT');
    expectError(await call(h, 'POST', '/galleries/nobody/identify', { img: faces.adaProbe.toString('base64') }), 400, 'FV_ERR_GALLERY_EMPTY');
    const openapi = (await call(h, 'GET', '/openapi.json')).json;
    const route = openapi.paths['/galleries/{gallery}/identify'].post;
    expect(route.requestBody.content['application/json'].schema.properties.fpir).toMatchObject({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 });
    expect(Object.keys(route.responses['200'].content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['threshold', 'threshold_source', 'fpir', 'gallery_size', 'faces']));
  });

  it('renames a subject', async () => {
    const renamed = await call(h, 'PATCH', '/galleries/default/subjects/ada', { name: 'Ada Lovelace' });
    expect(renamed.json).toEqual({ gallery: 'default', model_name: 'faceplugin-arcface', subject: 'Ada Lovelace', faces: 1 });
    expect((await search(faces.adaProbe)).json.identities[0].img_name).toBe('Ada Lovelace');
    expectError(await call(h, 'PATCH', `/galleries/default/subjects/${encodeURIComponent('Ada Lovelace')}`, { name: 'bob' }), 400, 'FV_ERR_INVALID_ARGUMENT', /already exists/);
    expectError(await call(h, 'PATCH', '/galleries/default/subjects/ada', { name: 'x' }), 404, 'FV_ERR_SUBJECT_NOT_FOUND');
  });

  it('erases a subject completely: no longer found, listed or readable', async () => {
    const erased = await call(h, 'DELETE', `/galleries/default/subjects/${encodeURIComponent('Ada Lovelace')}`);
    expect(erased.json).toEqual({ gallery: 'default', model_name: 'faceplugin-arcface', subject: 'Ada Lovelace', faces: 1 });
    for (const search_method of ['exact', 'ann']) expect((await search(faces.adaProbe, { search_method })).json.identities[0].verdict).toBe('unknown');
    expect(await subjects()).toEqual([{ subject: 'bob', faces: 1 }, { subject: 'cy', faces: 1 }]);
    expectError(await call(h, 'GET', `/galleries/default/records/${ids.ada}`), 404, 'FV_ERR_RECORD_NOT_FOUND');
    expectError(await call(h, 'DELETE', `/galleries/default/subjects/${encodeURIComponent('Ada Lovelace')}`), 404, 'FV_ERR_SUBJECT_NOT_FOUND');
  });

  it('keeps galleries apart', async () => {
    expect((await call(h, 'POST', '/register', { img: faces.stranger.toString('base64'), img_name: 'visitor', gallery: 'visitors' })).json).toMatchObject({ inserted: 1, gallery: 'visitors' });
    expect((await search(faces.stranger)).json.identities[0].verdict).toBe('unknown');
    expect((await search(faces.stranger, { gallery: 'visitors' })).json.identities[0].img_name).toBe('visitor');
    expect(await subjects('nobody')).toEqual([]);
    expect((await call(h, 'GET', '/galleries')).json.galleries.map((g: { name: string; faces: number }) => [g.name, g.faces])).toEqual([
      ['default', 2],
      ['visitors', 1],
    ]);
  });

  it('refuses a gallery name holding a control character (NUL, newline) with a 400 naming it', async () => {
    for (const gallery of ['bad\u0000name', 'two\nlines']) {
      const registered = await call(h, 'POST', '/register', { img: faces.stranger.toString('base64'), img_name: 'x', gallery });
      expect(registered.status, JSON.stringify(gallery)).toBe(400);
      expect(registered.json.error).toContain('holds a control character');
    }
    expect((await call(h, 'GET', '/galleries')).json.galleries).toHaveLength(2);
  });
});
