/** A thread of the memory-bandwidth peer (see read-bandwidth.ts). */
import { parentPort } from 'node:worker_threads';
import createWabt from 'wabt';

const READ_LOOP_WAT = `(module
  (memory (import "env" "memory") 1 65536 shared)
  (func (export "read") (param $p i32) (param $end i32) (result f32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (block $done (loop $step
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $a (f32x4.add (local.get $a) (v128.load (local.get $p))))
      (local.set $b (f32x4.add (local.get $b) (v128.load offset=16 (local.get $p))))
      (local.set $c (f32x4.add (local.get $c) (v128.load offset=32 (local.get $p))))
      (local.set $d (f32x4.add (local.get $d) (v128.load offset=48 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br $step)))
    (f32x4.extract_lane 0 (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))))`;

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: { read(start: number, end: number): number } };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const wabt = await createWabt();
const features = { simd: true, threads: true };
const parsed = wabt.parseWat('read-loop.wat', READ_LOOP_WAT, features);
// wabt's typings omit validate's feature argument, which the threads feature needs.
(parsed as unknown as { validate(options: object): void }).validate(features);
const compiled = new wasm.Module(parsed.toBinary({}).buffer);
parsed.destroy();

let sink = 0;
parentPort?.on('message', ({ memory, start, end }: { memory: object; start: number; end: number }) => {
  const { read } = new wasm.Instance(compiled, { env: { memory } }).exports;
  sink += read(start, end);
  parentPort?.postMessage(Number.isNaN(sink) ? 1 : 0);
});
