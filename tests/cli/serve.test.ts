/** `facevault serve` as a process: configuration errors, serving, and a graceful stop on SIGTERM. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pinecone } from '@pinecone-database/pinecone';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/vector/database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function facevault(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const serving = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'facevault is serving') resolve(entry.url as string);
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  serving.catch(() => undefined); // a run expected to fail never awaits it
  return { child, lines, serving, exited, stderr: () => stderr };
}

describe('facevault serve', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('facevault-cli-');
  });
  afterEach(() => tmp.cleanup());

  it('refuses to serve without API keys unless --no-auth asks for it, saying how to set them', async () => {
    const run = facevault(['serve', '--data', tmp.dir, '--port', '0']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/^facevault: configuration server\.apiKeys: no API key configured; set FACEVAULT_API_KEYS .* or pass --no-auth/);
  });

  it('refuses to serve without keys on a non-loopback address, saying why', async () => {
    const run = facevault(['serve', '--data', tmp.dir, '--host', '0.0.0.0', '--no-auth']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/^facevault: configuration server\.host: without API keys the server binds to loopback only/);
  });

  it('takes its configuration from flags, environment and file; serves the official client; on SIGTERM finishes, closes the database and exits 0', async () => {
    // the key from the file, the port and log level from the environment, the data directory from a flag
    const file = join(tmp.dir, 'facevault.json');
    writeFileSync(file, JSON.stringify({ server: { apiKeys: ['cli-key'], port: 1 } }));
    const run = facevault(['serve', '--data', join(tmp.dir, 'data'), '--config', file], { FACEVAULT_PORT: '0', FACEVAULT_LOG_LEVEL: 'trace' });
    const url = await run.serving;
    expect(new URL(url).port).not.toBe('1');
    const pc = new Pinecone({ apiKey: 'cli-key', controllerHostUrl: url, maxRetries: 0 });
    await pc.createIndex({ name: 'cli', dimension: 2, spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } });
    await pc.index('cli').upsert({ records: [{ id: 'kept', values: [1, 2] }] });

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down: finishing in-flight requests, then closing the store', 'shut down cleanly']));
    expect(JSON.stringify(run.lines)).not.toContain('cli-key');

    const db = await openDatabase(join(tmp.dir, 'data'));
    expect((await db.index('cli').fetch({ ids: ['kept'] })).records.kept?.values).toEqual([1, 2]);
    await db.close();
  });
});
