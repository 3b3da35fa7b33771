/**
 * A large face request and the event loop (issue 12.3): a /represent body of ~50 MB (a 37 MB
 * image in base64) sent to a server running in this process, while the loop's delay is sampled.
 * The client runs in this process too (sending a pre-encoded buffer). The peer, same run: what the loop did before such bodies went to a thread — JSON.parse of the
 * same text, the base64 check and the decode, on the main thread. The image is random bytes, so
 * the request ends with a 400 after the decode: what is measured is the parsing.
 * Run: `npx tsx bench/large-json.ts`. Prints a table, writes bench/results/large-json.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/server/logger.js';
import { base64Payload, decodedBytes, isBase64 } from '../src/server/image-string.js';
import { MAX_IMAGE_BYTES } from '../src/server/face-input.js';
import { startServer } from '../src/server/start.js';

// The largest image a face route takes.
const IMAGE_BYTES = MAX_IMAGE_BYTES;
const ROUNDS = 3;
const body = JSON.stringify({ img: randomBytes(IMAGE_BYTES).toString('base64') });
// Encoded once here, so that sending it costs this loop no string encoding.
const bodyBytes = Buffer.from(body, 'utf8');
const dataDir = mkdtempSync(join(tmpdir(), 'fv-large-json-'));
const server = await startServer(loadConfig({ env: {}, flags: { dataDir, logLevel: 'warn', server: { port: 0, auth: false } } }), createLogger('warn'));
const rows: { round: number; threadLoopMaxMs: number; threadRequestMs: number; status: number; onLoopMs: number }[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const start = performance.now();
    const response = await fetch(`${server.url}/represent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyBytes });
    await response.arrayBuffer();
    const threadRequestMs = performance.now() - start;
    delay.disable();
    // The peer: the same work on this thread, as the route did before.
    const began = performance.now();
    const parsed = JSON.parse(body) as { img: string };
    const payload = base64Payload(parsed.img);
    if (!isBase64(payload) || decodedBytes(payload) !== IMAGE_BYTES) throw new Error('the peer read the body wrong');
    Buffer.from(payload, 'base64');
    const onLoopMs = performance.now() - began;
    rows.push({ round, threadLoopMaxMs: delay.max / 1e6, threadRequestMs, status: response.status, onLoopMs });
  }
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const result = {
  benchmark: 'large-json', bodyMB: body.length / 1e6, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, date: new Date().toISOString(),
  command: 'npx tsx bench/large-json.ts', rows,
  medianLoopMaxMsWithThread: median(rows.map((r) => r.threadLoopMaxMs)), medianOnLoopMs: median(rows.map((r) => r.onLoopMs)),
};
console.log(`a ${result.bodyMB.toFixed(1)} MB /represent body, ${ROUNDS} rounds (status ${rows.map((r) => r.status).join(', ')})`);
for (const r of rows) console.log(`  round ${r.round}: longest event-loop block ${r.threadLoopMaxMs.toFixed(0)} ms over a ${r.threadRequestMs.toFixed(0)} ms request | peer, the same parse on the loop: ${r.onLoopMs.toFixed(0)} ms`);
console.log(`median: ${result.medianLoopMaxMsWithThread.toFixed(0)} ms longest block with the thread, against ${result.medianOnLoopMs.toFixed(0)} ms on the loop`);
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(new URL('large-json.json', resultsDir), `${JSON.stringify(result, null, 2)}\n`);
