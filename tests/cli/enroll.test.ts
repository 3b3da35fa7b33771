/** `facevault enroll`, `identify` and `subjects` on face crops from face-api's sample photos (any fresh install). */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacePipeline } from '../../src/face/pipeline.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { faceCrop } from '../recognition/face-api-samples.js';
import { runCommand } from './run-command.js';

let photos: ReturnType<typeof makeTempDir>;
let data: ReturnType<typeof makeTempDir>;
let probe: string;
const common = () => ['--data', data.dir, '--workers', '1'];

beforeAll(async () => {
  photos = makeTempDir('facevault-cli-photos-');
  data = makeTempDir('facevault-cli-data-');
  const pipeline = await FacePipeline.create({ workers: 0 });
  try {
    for (const [subject, face] of [['Ana', 0], ['Ben', 1]] as const) {
      mkdirSync(join(photos.dir, subject));
      writeFileSync(join(photos.dir, subject, 'a.jpg'), await faceCrop(pipeline, 5, face));
    }
    writeFileSync(join(photos.dir, 'Ben', 'sky.png'), await sharp({ create: { width: 200, height: 200, channels: 3, background: '#88aadd' } }).png().toBuffer());
    // A folder of symbolic links to PGM photos kept elsewhere (several classic face sets are PGM)
    const grey = await sharp(await faceCrop(pipeline, 5, 2)).greyscale().raw().toBuffer({ resolveWithObject: true });
    mkdirSync(join(photos.dir, 'store'));
    writeFileSync(join(photos.dir, 'store', 'cara.pgm'), Buffer.concat([Buffer.from(`P5\n${grey.info.width} ${grey.info.height}\n255\n`), grey.data]));
    mkdirSync(join(photos.dir, 'links', 'Cara'), { recursive: true });
    symlinkSync(join(photos.dir, 'store', 'cara.pgm'), join(photos.dir, 'links', 'Cara', '1.pgm'));
    mkdirSync(join(photos.dir, 'empty'));
    probe = join(photos.dir, 'probe.jpg');
    writeFileSync(probe, await faceCrop(pipeline, 5, 0, (image) => image.resize({ width: 300 })));
  } finally {
    await pipeline.close();
  }
});
afterAll(() => {
  photos?.cleanup();
  data?.cleanup();
});

describe('facevault enroll / identify / subjects', () => {
  it('enrolls a folder (subject = folder name), lists the photo without a face, and exits 1', async () => {
    const { stdout, exitCode } = await runCommand(['enroll', join(photos.dir, 'Ana'), join(photos.dir, 'Ben'), ...common()]);
    expect(stdout).toContain('3 of 3 photos: 2 enrolled (2 faces), 0 already enrolled, 0 skipped, 1 failed');
    expect(stdout).toMatch(/no face found: 1\n {2}sky\.png\n/);
    expect(exitCode).toBe(1);
  });

  it('enrolls a folder of symbolic links to PGM photos, and says so when a folder holds no photo', async () => {
    const other = makeTempDir('facevault-cli-links-');
    try {
      const { stdout, exitCode } = await runCommand(['enroll', join(photos.dir, 'links'), '--data', other.dir, '--workers', '1']);
      expect(stdout).toContain('1 of 1 photos: 1 enrolled (1 faces)');
      expect(exitCode).toBe(0);
      await expect(runCommand(['enroll', join(photos.dir, 'empty'), '--data', other.dir, '--workers', '1'])).rejects.toMatchObject({
        code: 'FV_ERR_INVALID_ARGUMENT',
        message: expect.stringMatching(/no photos found in .*empty: folders are searched for \.jpg .*\.pgm/),
      });
    } finally {
      other.cleanup();
    }
  });

  it('skips what is already enrolled when run again, and reports it as JSON on request', async () => {
    const { stdout } = await runCommand(['enroll', join(photos.dir, 'Ana'), join(photos.dir, 'Ben'), '--json', ...common()]);
    expect(JSON.parse(stdout)).toMatchObject({ photos: 3, enrolled: 0, alreadyEnrolled: 2, failed: 1, interrupted: false, problems: [{ source: 'sky.png', status: 'failed', error: { code: 'FV_ERR_NO_FACE' } }] });
  });

  it('identifies a photo as JSON, exactly', async () => {
    const { stdout } = await runCommand(['identify', probe, '--exact', '--json', ...common()]);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ model: 'faceplugin-arcface', metric: 'cosine', faces: [{ identity: { status: 'known', subject: 'Ana' } }] });
    expect(result.faces[0].candidates[0]).toMatchObject({ subject: 'Ana', recordId: expect.stringMatching(/^[0-9a-f]{32}-0$/) });
  });

  it('prints the threshold it held the FPIR with, and a candidate list with probabilities', async () => {
    const { stdout } = await runCommand(['identify', probe, '--exact', '--fpir', '0.001', '--candidates', '2', ...common()]);
    expect(stdout).toMatch(/^face 1 at .*: Ana \(distance [\d.]+, confidence [\d.]+ %\)\n {2}1\. Ana {2}distance [\d.]+ {2}P\(same person\) [\d.]+ %\n {2}2\. Ben /);
    expect(stdout).toMatch(/cosine threshold 0\.\d{4} \(solved for FPIR 0\.10 %\) in a gallery of 2 faces, holds FPIR 0\.10 %\n$/);
    const json = JSON.parse((await runCommand(['identify', probe, '--exact', '--json', '--threshold', '0.5', ...common()])).stdout);
    expect(json).toMatchObject({ threshold: 0.5, thresholdSource: 'explicit', fpirTarget: null, gallerySize: 2, fpir: expect.any(Number) });
  });

  it('lists, renames and erases subjects', async () => {
    expect(JSON.parse((await runCommand(['subjects', 'list', '--json', '--data', data.dir])).stdout)).toEqual([{ subject: 'Ana', faces: 1 }, { subject: 'Ben', faces: 1 }]);
    expect((await runCommand(['subjects', 'rename', 'Ana', 'Anna', '--data', data.dir])).stdout).toBe('renamed "Ana" to "Anna" on 1 face(s)\n');
    expect((await runCommand(['subjects', 'erase', 'Ben', '--data', data.dir])).stdout).toBe('erased "Ben": 1 face(s)\n');
    expect((await runCommand(['subjects', 'list', '--data', data.dir])).stdout).toBe('Anna\t1\n');
    await expect(runCommand(['subjects', 'erase', 'Ben', '--data', data.dir])).rejects.toMatchObject({ code: 'FV_ERR_SUBJECT_NOT_FOUND' });
  });

  it('refuses to identify against a data directory that does not exist, naming it', async () => {
    await expect(runCommand(['identify', probe, '--data', join(data.dir, 'nope')])).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('no data directory at') });
    await expect(runCommand(['enroll', probe, '--on-multiple', 'first', ...common()])).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('--on-multiple') });
  });
});
