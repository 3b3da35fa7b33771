/**
 * Small JPEGs of one face each, cut from face-api's sample1.jpg (every install has it), for tests
 * that need thousands of images with a face: 64 to 112 pixels a side, 1.4 to 3.2 KB each.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { samplePhoto } from '../recognition/face-api-samples.js';
import { at } from './checked.js';

const SAMPLE = samplePhoto(1);
/** The photo's three faces, each box about 100 pixels wider on every side than the one the detector reports. */
const FACE_BOXES = [
  { left: 317, top: 257, width: 384, height: 436 },
  { left: 729, top: 328, width: 402, height: 422 },
  { left: 1361, top: 117, width: 419, height: 414 },
];
const SIDES = [64, 80, 96, 112];

/** Twelve distinct JPEGs (three faces × four sizes), each with exactly one face the default detector finds. */
export function faceCrops(): Promise<Buffer[]> {
  return Promise.all(FACE_BOXES.flatMap((box) => SIDES.map((side) => sharp(SAMPLE).extract(box).resize(side, side).jpeg({ quality: 85 }).toBuffer())));
}

/** Writes `count` face crops into `dir` as `face-00000.jpg`... and returns their paths. */
export async function writeFaceCrops(dir: string, count: number): Promise<string[]> {
  const crops = await faceCrops();
  const paths = Array.from({ length: count }, (_, i) => join(dir, `face-${String(i).padStart(5, '0')}.jpg`));
  await Promise.all(paths.map((path, i) => writeFile(path, at(crops, i % crops.length))));
  return paths;
}
