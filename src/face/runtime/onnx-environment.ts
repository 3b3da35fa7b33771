/**
 * What onnxruntime-node reads from the process environment, set before it reads it. Kept apart
 * from `onnx.ts` so the main thread can set it without loading the native runtime (only the
 * workers load it).
 */

/**
 * Turns off onnxruntime's telemetry for this process, unless the caller chose otherwise
 * (`ORT_DISABLE_TELEMETRY` already set). Call it in the main thread before any thread creates
 * the first ONNX session.
 *
 * Why: onnxruntime-node 1.30 on Linux starts Microsoft's telemetry when it creates its
 * process-wide environment (the first session, in whichever thread): it reads
 * `/proc/self/cmdline` and matches it with a libstdc++ `std::regex`, whose executor recurses
 * once per character, about 280 bytes of native stack per byte of command line. A worker thread
 * has a 4 MB stack, so `facevault represent` with ~300 file paths (a 14 KB command line) died
 * with SIGSEGV before reading an image; the main thread's 8 MB stack lasted to ~28 KB. With the
 * variable set, onnxruntime reads neither the command line nor `/etc/os-release`, and writes
 * no telemetry database under `~/.cache/Microsoft` (a self-hosted engine has no business
 * reporting home anyway).
 *
 * Only the main thread's `process.env` reaches the C environment that onnxruntime reads; a
 * worker's is a private copy, which is why the face workers cannot do this themselves.
 */
export function disableOnnxTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}
