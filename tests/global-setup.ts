/**
 * Runs once before any test file: assembles the exact-search kernel when it is missing or older
 * than its source, so that a checkout where `npm run build` never ran (e.g. `npm ci
 * --ignore-scripts`, or a `git clean`) tests the current kernel instead of failing in many places
 * with an HTTP 500.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/vector/exact/kernel.wat', import.meta.url));
const assembled = fileURLToPath(new URL('../src/vector/exact/kernel.wasm', import.meta.url));
const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));

export default function setup(): void {
  if (existsSync(assembled) && statSync(assembled).mtimeMs >= statSync(source).mtimeMs) return;
  console.log('tests: the exact-search kernel is not built or is stale; assembling it (scripts/build-wasm.mjs)');
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
