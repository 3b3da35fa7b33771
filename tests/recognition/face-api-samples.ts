/**
 * Real faces on any fresh install: the group photos of the npm package @vladmandic/face-api
 * (sample1-6.jpg, 22 faces of different people), and single-face crops cut from them.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { FacePipeline } from '../../src/face/pipeline.js';
import { at } from '../helpers/checked.js';

const demoDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');

export function samplePhoto(n: number): string {
  return join(demoDir, `sample${n}.jpg`);
}

/** Face `face` (largest first) of sample `n`, cropped with a quarter of its size as margin: a JPEG showing that one face. */
export async function faceCrop(pipeline: FacePipeline, n: number, face: number, transform: (image: Sharp) => Sharp = (image) => image): Promise<Buffer> {
  const path = samplePhoto(n);
  const box = at(await pipeline.detectFaces(path), face).facialArea;
  const { width = 0, height = 0 } = await sharp(path).metadata();
  const left = Math.max(0, Math.round(box.x - box.w / 4));
  const top = Math.max(0, Math.round(box.y - box.h / 4));
  const crop = sharp(path).extract({ left, top, width: Math.min(width - left, Math.round(box.w * 1.5)), height: Math.min(height - top, Math.round(box.h * 1.5)) });
  return transform(crop).jpeg({ quality: 90 }).toBuffer();
}
