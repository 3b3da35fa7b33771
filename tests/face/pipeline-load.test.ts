/**
 * Thousands of concurrent calls on one pipeline: every call settles with its faces or a coded
 * error, the process survives, and the byte budget refuses what does not fit with FV_ERR_OVERLOADED.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../src/errors.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { faceCrops } from '../helpers/face-crops.js';
import { at } from '../helpers/checked.js';

const CALLS = 2_000;

/** A 96×96 JPEG of one flat colour: no face, and only the detector's time (~10 ms against ~40 for a face). */
function blank(shade: number): Promise<Buffer> {
  return sharp({ create: { width: 96, height: 96, channels: 3, background: { r: shade, g: shade, b: shade } } }).jpeg().toBuffer();
}

describe('FacePipeline under load', () => {
  // 25 s measured on two shared, busy cores; the timeout leaves room for a machine busier still.
  it(`settles ${CALLS} represent calls made at once: a face crop gives its face, a blank image FV_ERR_NO_FACE`, { timeout: 120_000 }, async () => {
    const crops = await faceCrops();
    const blanks = await Promise.all([40, 128, 220].map(blank));
    // One face crop in four keeps the run short.
    const images = Array.from({ length: CALLS }, (_, i) => (i % 4 === 0 ? at(crops, (i / 4) % crops.length) : at(blanks, i % blanks.length)));
    const faces = await FacePipeline.create({ workers: 2 });
    try {
      const settled = await Promise.allSettled(images.map((image) => faces.represent(image)));
      const outcomes = settled.map((s, i) => ({ face: i % 4 === 0, outcome: s.status === 'fulfilled' ? s.value.length : isFacevaultError(s.reason) ? s.reason.code : String(s.reason) }));
      expect(outcomes.filter(({ face, outcome }) => outcome !== (face ? 1 : 'FV_ERR_NO_FACE'))).toEqual([]);
    } finally {
      await faces.close();
    }
  });

  it('refuses what passes maxQueuedBytes with FV_ERR_OVERLOADED (503) and runs the rest, in the workers and in this thread', async () => {
    const crops = await faceCrops();
    const budget = 40_000; // about ten waiting crops: up to 3.2 KB each, plus 1 KB a call
    for (const workers of [1, 0]) {
      const faces = await FacePipeline.create({ workers, maxQueuedBytes: budget });
      try {
        const settled = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => faces.represent(at(crops, i % crops.length))));
        const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
        expect(refused.length).toBeGreaterThan(0);
        for (const err of refused) expect(isFacevaultError(err, 'FV_ERR_OVERLOADED') && err.status).toBe(503);
        expect(settled.filter((s) => s.status === 'fulfilled').length).toBeGreaterThan(5);
        // Once the queue drains there is room again.
        expect(await faces.represent(at(crops, 0))).toHaveLength(1);
      } finally {
        await faces.close();
      }
    }
  });

  it('rejects a maxQueuedBytes that is not a positive number before starting any worker', async () => {
    await expect(FacePipeline.create({ maxQueuedBytes: 0 })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', details: { field: 'maxQueuedBytes' } });
  });
});
