/** `facevault models` as a child process. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, MODEL_REGISTRY } from '../../src/face/models/registry.js';
import { runCli } from './face-cli-process.js';
import { entry } from '../helpers/checked.js';

describe('facevault models', () => {
  it('--json lists the registry with thresholds; without it, a table marking the default', async () => {
    const [json, table] = await Promise.all([runCli(['models', '--json']), runCli(['models'])]);
    expect([json.code, table.code]).toEqual([0, 0]);
    const listed = JSON.parse(json.stdout);
    expect(listed.default).toBe(DEFAULT_MODEL);
    expect(listed.models.map((m: { name: string }) => m.name)).toEqual(Object.keys(MODEL_REGISTRY));
    for (const model of listed.models) expect(model.thresholds).toEqual(entry(MODEL_REGISTRY, model.name).info.thresholds);
    expect(listed.models.find((m: { name: string }) => m.name === 'fusion-arcface-dlib').fusion).toEqual([
      { model: 'faceplugin-arcface', weight: expect.any(Number) },
      { model: 'dlib-resnet-128', weight: expect.any(Number) },
    ]);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^model +dims +input +runtime +cosine +euclidean +euclidean_l2 +aliases$/);
    expect(lines.find((line) => line.startsWith(`${DEFAULT_MODEL} *`))).toBeDefined();
    expect(lines.find((line) => line.startsWith('dlib-resnet-128'))).toMatch(/128 +150×150 +tfjs-wasm +0\.0881 +0\.4197 +0\.4197 +dlib/);
  });

  it('an unknown flag is a usage error (exit 2)', async () => {
    const run = await runCli(['models', '--yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--yaml'");
  });
});
