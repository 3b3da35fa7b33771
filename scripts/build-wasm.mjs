// Assembles the project's WebAssembly text files into .wasm, each written next to its source
// (read by src/*.ts under vitest and tsx) and next to the compiled output (dist/*.js), because
// tsc does not copy .wasm files. `npm run build` runs this before tsc; `npm ci` runs build.
//   src/vector/exact/kernel.wat  the exact-search scan kernel
//   src/face/warp/warp.wat       the face pipeline's affine warp
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';

const root = new URL('../', import.meta.url);
// The scan kernel's memory is shared (scan threads bind to it): both parsing and validation need the threads feature.
const WASM_SOURCES = [
  { source: 'vector/exact/kernel.wat', features: { simd: true, threads: true } },
  { source: 'face/warp/warp.wat', features: { simd: true } },
];

const wabt = await createWabt();
for (const { source: path, features } of WASM_SOURCES) {
  const source = new URL(`src/${path}`, root);
  const wasmPath = path.replace(/\.wat$/, '.wasm');
  const outputs = [new URL(`src/${wasmPath}`, root), new URL(`dist/${wasmPath}`, root)];
  const module = wabt.parseWat(fileURLToPath(source), readFileSync(source, 'utf8'), features);
  try {
    module.validate(features);
    const { buffer } = module.toBinary({});
    for (const output of outputs) {
      mkdirSync(dirname(fileURLToPath(output)), { recursive: true });
      writeFileSync(output, buffer);
    }
    console.log(`build-wasm: ${path} -> ${buffer.byteLength} bytes -> ${outputs.map((u) => fileURLToPath(u)).join(', ')}`);
  } finally {
    module.destroy();
  }
}
