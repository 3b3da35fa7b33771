/** `facevault serve` as a process: configuration errors, serving, and a graceful stop on SIGTERM. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pinecone } from '@pinecone-database/pinecone';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/vector/database.js';
import { facevault } from '../helpers/facevault-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

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
