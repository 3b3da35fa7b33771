/**
 * Runs once before any test file: assembles the WebAssembly modules (the exact-search kernel, the
 * face warp) when one is missing or older than its source, so that a checkout where `npm run build` never ran (e.g. `npm ci
 * --ignore-scripts`, or a `git clean`) tests the current kernel instead of failing in many places
 * with an HTTP 500.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SOURCES = ['../src/vector/exact/kernel.wat', '../src/face/warp/warp.wat'].map((path) => fileURLToPath(new URL(path, import.meta.url)));
const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));

export default function setup(): void {
  const stale = SOURCES.filter((source) => {
    const assembled = source.replace(/\.wat$/, '.wasm');
    return !existsSync(assembled) || statSync(assembled).mtimeMs < statSync(source).mtimeMs;
  });
  if (stale.length === 0) return;
  console.log(`tests: ${stale.join(', ')} not built or stale; assembling (scripts/build-wasm.mjs)`);
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
