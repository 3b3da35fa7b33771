import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkServing, isLoopback, loadConfig, type ServerConfig } from '../src/config.js';
import { isFacevaultError } from '../src/errors.js';
import { makeTempDir } from './helpers/temp-dir.js';

function failure(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isFacevaultError(err, 'FV_ERR_INVALID_ARGUMENT')) return err.message;
    throw err;
  }
  throw new Error('expected FV_ERR_INVALID_ARGUMENT, nothing was thrown');
}

describe('loadConfig', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  beforeEach(() => {
    tmp = makeTempDir('facevault-config-');
    file = join(tmp.dir, 'facevault.json');
  });
  afterEach(() => tmp.cleanup());

  it('fills defaults and freezes the result', () => {
    const config = loadConfig({ env: {}, flags: { server: { apiKeys: ['k'] } } });
    expect(config).toEqual({
      dataDir: resolve('facevault-data'),
      logLevel: 'info',
      synchronous: 'normal',
      server: { host: '127.0.0.1', port: 5080, apiKeys: ['k'], auth: true, maxBodyBytes: 134_217_728, maxBodyBytesInFlight: 268_435_456, requestTimeoutMs: 120_000, rateLimitPerMinute: 0, shutdownTimeoutMs: 10_000, keepFaceCrops: false, urlHosts: [] },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.server.apiKeys)).toBe(true);
  });

  it('reads the rate limit per API key (off by default) from the environment and refuses a negative one', () => {
    expect(loadConfig({ env: { FACEVAULT_RATE_LIMIT_PER_MINUTE: '600' } }).server.rateLimitPerMinute).toBe(600);
    expect(() => loadConfig({ env: { FACEVAULT_RATE_LIMIT_PER_MINUTE: '-1' } })).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('FACEVAULT_RATE_LIMIT_PER_MINUTE') }));
  });

  it('reads the images folder and the URL hosts of the face routes (off by default) from flags or environment', () => {
    const fromEnv = loadConfig({ env: { FACEVAULT_IMAGES: 'photos', FACEVAULT_ALLOW_URL_HOSTS: 'Images.Example.com, 10.0.0.0/8' } });
    expect(fromEnv.server).toMatchObject({ imagesDir: resolve('photos'), urlHosts: ['images.example.com', '10.0.0.0/8'] });
    expect(loadConfig({ env: { FACEVAULT_IMAGES: 'photos' }, flags: { server: { imagesDir: '/srv/faces', urlHosts: ['a.example'] } } }).server).toMatchObject({ imagesDir: '/srv/faces', urlHosts: ['a.example'] });
    expect(() => loadConfig({ env: {}, flags: { server: { urlHosts: ['a b'] } } })).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('server.urlHosts.0') }));
  });

  it('takes flags over environment over file', () => {
    writeFileSync(file, JSON.stringify({ dataDir: '/from/file', logLevel: 'warn', server: { port: 7000, host: '0.0.0.0', apiKeys: ['file-key'] } }));
    const config = loadConfig({
      file,
      env: { FACEVAULT_PORT: '7001', FACEVAULT_API_KEYS: ' env-1, env-2 ,', FACEVAULT_DATA: '/from/env', UNRELATED: 'x' },
      flags: { dataDir: '/from/flags' },
    });
    expect(config.dataDir).toBe('/from/flags');
    expect(config.logLevel).toBe('warn');
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 7001, apiKeys: ['env-1', 'env-2'] });
  });

  it('finds the file through FACEVAULT_CONFIG', () => {
    writeFileSync(file, JSON.stringify({ server: { port: 6001, apiKeys: ['k'] } }));
    expect(loadConfig({ env: { FACEVAULT_CONFIG: file } }).server.port).toBe(6001);
  });

  it('names the setting, the problem and its source', () => {
    expect(failure(() => loadConfig({ env: { FACEVAULT_PORT: 'eighty', FACEVAULT_API_KEYS: 'k' } }))).toMatch(
      /^configuration server\.port: .*\(from environment variable FACEVAULT_PORT\)$/,
    );
    expect(failure(() => loadConfig({ env: {}, flags: { server: { port: 70_000, apiKeys: ['k'] } } }))).toMatch(/server\.port: .*65535.*\(from command line\)/);
    writeFileSync(file, JSON.stringify({ server: { prot: 1 } }));
    expect(failure(() => loadConfig({ env: {}, file }))).toMatch(/configuration server: .*prot/);
    writeFileSync(file, '{ not json');
    expect(failure(() => loadConfig({ env: {}, file }))).toMatch(/is not valid JSON/);
    expect(failure(() => loadConfig({ env: { FACEVAULT_LOG_LEVEL: 'loud', FACEVAULT_API_KEYS: 'k' } }))).toMatch(/logLevel: .*\(from environment variable FACEVAULT_LOG_LEVEL\)/);
  });

  it('keeps a public URL without its trailing slash and refuses other schemes', () => {
    expect(loadConfig({ env: { FACEVAULT_PUBLIC_URL: 'https://vectors.example.com/', FACEVAULT_API_KEYS: 'k' } }).server.publicUrl).toBe('https://vectors.example.com');
    expect(failure(() => loadConfig({ env: { FACEVAULT_PUBLIC_URL: 'ftp://x', FACEVAULT_API_KEYS: 'k' } }))).toMatch(/server\.publicUrl/);
  });

  it('needs no API key to load: commands other than serve have none', () => {
    expect(loadConfig({ env: {} }).server).toMatchObject({ auth: true, apiKeys: [] });
    expect(loadConfig({ env: { FACEVAULT_AUTH: 'disabled' } }).server.auth).toBe(false);
    expect(failure(() => loadConfig({ env: { FACEVAULT_AUTH: 'off' } }))).toMatch(/server\.auth: expects true or false.*\(from environment variable FACEVAULT_AUTH\)/);
    expect(failure(() => loadConfig({ env: { FACEVAULT_API_KEYS: 'good,has space' } }))).toMatch(
      /server\.apiKeys\.1: an API key cannot hold whitespace \(from environment variable FACEVAULT_API_KEYS\)$/,
    );
  });
});

describe('checkServing', () => {
  const server = (flags: NonNullable<Parameters<typeof loadConfig>[0]>['flags']): ServerConfig => loadConfig({ env: {}, flags }).server;

  it('requires API keys unless running without them is asked for', () => {
    expect(failure(() => checkServing(server({})))).toMatch(/no API key configured; set FACEVAULT_API_KEYS.*--no-auth/);
    expect(() => checkServing(server({ server: { apiKeys: ['k'], host: '0.0.0.0' } }))).not.toThrow();
    expect(() => checkServing(server({ server: { auth: false } }))).not.toThrow();
  });

  it('binds to loopback only without keys', () => {
    expect(failure(() => checkServing(server({ server: { auth: false, host: '0.0.0.0' } })))).toMatch(
      /server\.host: without API keys the server binds to loopback only .* got "0\.0\.0\.0"/,
    );
    expect(failure(() => checkServing(server({ server: { auth: false, apiKeys: ['k'] } })))).toMatch(/auth is disabled .* but API keys are set; choose one/);
    expect(() => checkServing(server({ server: { auth: false, host: '::1' } }))).not.toThrow();
  });

  it('recognises loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', '127.example.com'].some(isLoopback)).toBe(false);
  });

});
