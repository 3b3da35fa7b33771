// Assembles src/vector/exact/kernel.wat into kernel.wasm, written next to the source (read by
// src/*.ts under vitest and tsx) and next to the compiled output (dist/*.js), because tsc
// does not copy .wasm files. `npm run build` runs this before tsc; `npm ci` runs build.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';

const root = new URL('../', import.meta.url);
const source = new URL('src/vector/exact/kernel.wat', root);
const outputs = [new URL('src/vector/exact/kernel.wasm', root), new URL('dist/vector/exact/kernel.wasm', root)];

const wabt = await createWabt();
// The memory is shared (scan threads bind to it): both parsing and validation need the threads feature.
const features = { simd: true, threads: true };
const module = wabt.parseWat(fileURLToPath(source), readFileSync(source, 'utf8'), features);
try {
  module.validate(features);
  const { buffer } = module.toBinary({});
  for (const output of outputs) {
    mkdirSync(dirname(fileURLToPath(output)), { recursive: true });
    writeFileSync(output, buffer);
  }
  console.log(`build-wasm: kernel.wat -> ${buffer.byteLength} bytes -> ${outputs.map((u) => fileURLToPath(u)).join(', ')}`);
} finally {
  module.destroy();
}
