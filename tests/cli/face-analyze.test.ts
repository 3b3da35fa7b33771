/** `facevault analyze` as a child process, on face-api's sample photos (every install has them). */
import { describe, expect, it } from 'vitest';
import { samplePhoto } from '../recognition/face-api-samples.js';
import { runCli } from './face-cli-process.js';

const sample1 = samplePhoto(1);

describe('facevault analyze', () => {
  it('--json: every face with the actions asked for; a line per face for people', async () => {
    const [json, human] = await Promise.all([runCli(['analyze', sample1, '--actions', 'age,gender', '--actions', 'liveness', '--json']), runCli(['analyze', sample1])]);
    expect([json.code, human.code]).toEqual([0, 0]);
    const result = JSON.parse(json.stdout);
    expect(result.image).toBe(sample1);
    expect(result.faces).toHaveLength(3);
    for (const face of result.faces) {
      expect(Object.keys(face)).toEqual(['facialArea', 'landmarks', 'faceConfidence', 'age', 'gender', 'liveness']);
      expect(face.gender).toMatchObject({ dominant: 'Woman' });
    }
    expect(human.stdout).toMatch(/sample1\.jpg: 3 faces\n {2}face 1 at x=\d+ y=\d+ w=\d+ h=\d+ \(confidence 0\.\d{3}\): age \d+, Woman \([\d.]+ %\), \w+ \([\d.]+ %\), (live|possible spoof) \(score/);
  });

  it('an unknown action is a usage error naming the allowed ones (exit 2)', async () => {
    const run = await runCli(['analyze', sample1, '--actions', 'age,race']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('facevault analyze: FV_ERR_INVALID_ARGUMENT: actions must be a non-empty list drawn from [age, gender, emotion, liveness]; got [age,race]\n');
  });
});
