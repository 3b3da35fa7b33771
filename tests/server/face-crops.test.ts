/**
 * Face thumbnails (opt-in, `--keep-face-crops`): a server that keeps them serves a 96×96 JPEG of
 * each face enrolled, and erasing the subject erases it; a server that does not keeps none.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at } from '../helpers/checked.js';
import { boxesOf, call, cropFace, photo } from './face-photos.js';
import { API_KEY, startHarness, type Harness } from './harness.js';

let keeping: Harness;
let plain: Harness;
let face: Buffer;

beforeAll(async () => {
  [keeping, plain] = await Promise.all([startHarness({ keepFaceCrops: true }), startHarness()]);
  const group = await photo(4);
  face = await cropFace(group, at(await boxesOf(keeping, group), 0));
}, 120_000);
afterAll(async () => Promise.all([keeping?.stop(), plain?.stop()]));

async function cropOf(h: Harness, id: string): Promise<Response> {
  return fetch(`${h.server.url}/galleries/default/records/${id}/crop`, { headers: { 'api-key': API_KEY } });
}

describe('face thumbnails', () => {
  it('are kept and served as a 96×96 JPEG when the server keeps crops, and go with the subject', async () => {
    const enrolled = await call(keeping, 'POST', '/register', { img: face.toString('base64'), img_name: 'ada' });
    expect(enrolled.status).toBe(200);
    const id = enrolled.json.ids[0] as string;
    const response = await cropOf(keeping, id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await response.arrayBuffer());
    expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 96, height: 96 });
    expect(jpeg.length).toBeLessThan(8 * 1024);
    // Without the key, nothing.
    expect((await fetch(`${keeping.server.url}/galleries/default/records/${id}/crop`)).status).toBe(401);

    expect((await call(keeping, 'DELETE', '/galleries/default/subjects/ada')).status).toBe(200);
    const erased = await cropOf(keeping, id);
    expect(erased.status).toBe(404);
    expect(await erased.json()).toMatchObject({ code: 'FV_ERR_RECORD_NOT_FOUND' });
  });

  it('are cut per face from a group photo, and from an EXIF-rotated photo as the detector saw it', async () => {
    const group = await photo(4);
    const enrolled = await call(keeping, 'POST', '/register', { img: group.toString('base64') });
    const ids = enrolled.json.ids as string[];
    expect(ids.length).toBeGreaterThan(2);
    const crops = await Promise.all(ids.map(async (id) => Buffer.from(await (await cropOf(keeping, id)).arrayBuffer())));
    for (const crop of crops) expect(await sharp(crop).metadata()).toMatchObject({ width: 96, height: 96 });
    expect(new Set(crops.map((crop) => crop.toString('base64'))).size).toBe(ids.length);

    // The same face stored on its side with EXIF orientation 6 (shown upright): its thumbnail is upright too.
    const upright = at(crops, 0);
    const sideways = await sharp(await cropFace(group, at(await boxesOf(keeping, group), 0)))
      .rotate(-90)
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const rotated = await call(keeping, 'POST', '/register', { img: sideways.toString('base64'), img_name: 'sideways' });
    const crop = Buffer.from(await (await cropOf(keeping, rotated.json.ids[0] as string)).arrayBuffer());
    const grey = async (jpeg: Buffer) => sharp(jpeg).greyscale().resize(24, 24).raw().toBuffer();
    const difference = (a: Buffer, b: Buffer) => a.reduce((sum, value, i) => sum + Math.abs(value - (b[i] ?? 0)), 0) / a.length;
    const [asSeen, reference, turned] = await Promise.all([grey(crop), grey(upright), sharp(upright).rotate(90).jpeg().toBuffer().then(grey)]);
    expect(difference(asSeen, reference)).toBeLessThan(difference(asSeen, turned));
  });

  it('are not kept by default: the record is there, its thumbnail is a 404 that says why', async () => {
    const enrolled = await call(plain, 'POST', '/register', { img: face.toString('base64'), img_name: 'ada' });
    const id = enrolled.json.ids[0] as string;
    expect((await call(plain, 'GET', `/galleries/default/records/${id}`)).status).toBe(200);
    const response = await cropOf(plain, id);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'FV_ERR_RECORD_NOT_FOUND', error: expect.stringContaining('--keep-face-crops') });
  });
});
