/** `facevault demo` as on a fresh machine: no datasets folder, so face-api's sample photos from npm; a small synthetic fill. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp-dir.js';
import { runCommand } from './run-command.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  tmp = makeTempDir('facevault-demo-test-');
});
afterAll(() => tmp?.cleanup());

describe('facevault demo', () => {
  it('enrolls the sample photos, adds synthetic records, identifies, fetches and verifies, printing each step', async () => {
    const data = join(tmp.dir, 'data');
    const { stdout, exitCode } = await runCommand(['demo', '--datasets', join(tmp.dir, 'no-datasets'), '--synthetic', '2500', '--workers', '1', '--data', data, '--keep']);
    expect(exitCode).toBe(0);
    expect(stdout).toContain('@vladmandic/face-api');
    expect(stdout).toMatch(/enroll 6 photos .*\n {4}22 faces/);
    expect(stdout).toContain('upsert 2,500 synthetic × 512-d in 3 chunks of 1,000');
    expect(stdout).toContain('query top-10, exact, 2,522 records');
    // The mirrored copy of sample2 shows three enrolled people, recognised by both searches.
    expect(stdout).toMatch(/identify sample2-mirrored\.jpg.*\(exact\).*\n {4}person-\d+ \(distance [\d.]+, confidence [\d.]+ %\); person-\d+ .*; person-\d+ /);
    expect(stdout).toMatch(/identify sample2-mirrored\.jpg.*\(approximate\).*\n {4}person-\d+ \(distance/);
    expect(stdout).toMatch(/verify .* against that record.*\n {4}verified: distance [\d.]+ <= threshold 0\.68/);
    expect(existsSync(join(data, 'facevault.db'))).toBe(true);
  });

  it('refuses a data directory that is not empty', async () => {
    await expect(runCommand(['demo', '--data', tmp.dir, '--synthetic', '0'])).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('is not empty') });
  });
});
