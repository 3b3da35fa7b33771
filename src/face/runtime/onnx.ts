/**
 * The one file that knows onnxruntime-node. Everything else speaks plain typed arrays.
 */
import * as ort from 'onnxruntime-node';
import { existsSync } from 'node:fs';
import { fvError } from '../../errors.js';

export interface TensorData {
  data: Float32Array;
  dims: readonly number[];
}

export interface OnnxModelOptions {
  /** Intra-op threads per session. One is steadier on a 2-core machine: parallelism comes from one session per worker thread. */
  threads?: number;
  /** Expected input shapes by name; -1 (or a symbolic dimension) matches any size. Checked at load. */
  expectInputs?: Record<string, readonly number[]>;
}

/** An ONNX model with an explicit lifecycle: `load()`, `run()`, `dispose()` (idempotent). */
export class OnnxModel {
  private session: ort.InferenceSession | undefined;

  private constructor(readonly path: string, session: ort.InferenceSession) {
    this.session = session;
  }

  /**
   * @throws FV_ERR_MODEL_LOAD when the file is missing, not a model, or its input shapes differ from `expectInputs`.
   */
  static async load(path: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    if (!existsSync(path)) throw fvError('FV_ERR_MODEL_LOAD', `Model file not found: ${path}`, { path });
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, {
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionProviders: ['cpu'],
        // Some shipped models keep initializers as graph inputs; onnxruntime warns about each at load. Errors only.
        logSeverityLevel: 3,
      });
    } catch (cause) {
      throw fvError('FV_ERR_MODEL_LOAD', `Cannot load ONNX model ${path}: ${(cause as Error).message}`, { path }, cause);
    }
    const model = new OnnxModel(path, session);
    if (options.expectInputs) model.checkInputs(options.expectInputs);
    return model;
  }

  get inputNames(): readonly string[] {
    return this.live().inputNames;
  }

  get outputNames(): readonly string[] {
    return this.live().outputNames;
  }

  /** Input shapes as declared by the model file; symbolic dimensions are reported as -1. */
  inputShapes(): Record<string, number[]> {
    const session = this.live();
    const shapes: Record<string, number[]> = {};
    session.inputNames.forEach((name, i) => {
      const meta = session.inputMetadata[i];
      shapes[name] = meta && meta.isTensor ? meta.shape.map((d) => (typeof d === 'number' ? d : -1)) : [];
    });
    return shapes;
  }

  /** Runs the model on float32 inputs and returns every output as float32. */
  async run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const session = this.live();
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims as number[]);
    const outputs = await session.run(inputs);
    const result: Record<string, TensorData> = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      const data = tensor.data;
      result[name] = { data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>), dims: tensor.dims };
    }
    return result;
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  private live(): ort.InferenceSession {
    if (!this.session) throw fvError('FV_ERR_MODEL_NOT_LOADED', `ONNX model ${this.path} was used after dispose()`, { path: this.path });
    return this.session;
  }

  private checkInputs(expected: Record<string, readonly number[]>): void {
    const actual = this.inputShapes();
    for (const [name, shape] of Object.entries(expected)) {
      const got = actual[name];
      const matches = got !== undefined && got.length === shape.length && shape.every((d, i) => d === -1 || got[i] === -1 || got[i] === d);
      if (!matches) {
        throw fvError('FV_ERR_MODEL_LOAD', `Model ${this.path} input "${name}" has shape [${got?.join(', ') ?? 'missing'}], expected [${shape.join(', ')}]`, { path: this.path, input: name });
      }
    }
  }
}
