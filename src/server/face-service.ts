/**
 * What the face routes share on one server: a face pipeline (worker threads with the models
 * loaded), started on the first request that needs it so that a server used only for vectors
 * never loads a model; and the galleries, over the server's store.
 *
 * The store belongs to whoever started the server: this service never closes it, only the
 * pipeline it started.
 */
import { fvError } from '../errors.js';
import { FacePipeline } from '../face/pipeline.js';
import { MODEL_REGISTRY } from '../face/models/registry.js';
import { Gallery, galleryIndexName } from '../recognition/gallery.js';
import type { VectorStore } from '../stores/vector-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The face pipeline and the galleries of the face routes. */
    faces: FaceService;
  }
}

export interface GallerySummary {
  readonly name: string;
  /** The model whose index holds the gallery. */
  readonly model: string;
  readonly index: string;
  readonly faces: number;
}

export class FaceService {
  private starting: Promise<FacePipeline> | undefined;
  private closed = false;
  constructor(
    private readonly store: VectorStore,
    /** Whether galleries keep a thumbnail of each face enrolled (config `keepFaceCrops`). */
    private readonly keepFaceCrops = false,
  ) {}

  /** True once a request has started the face pipeline. */
  get pipelineStarted(): boolean {
    return this.starting !== undefined;
  }

  /**
   * The server's face pipeline, started by the first call; concurrent first calls share one start.
   * A start that failed is forgotten, so the next request tries again rather than repeating it.
   * @throws FV_ERR_MODEL_LOAD when the weights are missing; FV_ERR_CLOSED after close().
   */
  pipeline(): Promise<FacePipeline> {
    if (this.closed) return Promise.reject(fvError('FV_ERR_CLOSED', 'The face service is shutting down'));
    if (!this.starting) {
      // One worker thread per core, each with its own model sessions.
      const starting = FacePipeline.create();
      this.starting = starting;
      starting.catch(() => {
        if (this.starting === starting) this.starting = undefined;
      });
    }
    return this.starting;
  }

  /**
   * A gallery (a namespace of the index of `model`, a registry name), with the pipeline when
   * `embeds`, creating the index when missing. Enrolling, identifying and verifying need `embeds`.
   * @throws FV_ERR_MODEL_UNKNOWN for an unknown model; FV_ERR_INVALID_ARGUMENT for a bad name; what `pipeline()` throws.
   */
  async gallery(name: string, model: string, embeds: boolean): Promise<Gallery> {
    const pipeline = embeds ? await this.pipeline() : undefined;
    return Gallery.open({ store: this.store, pipeline, model, name, keepFaceCrops: this.keepFaceCrops });
  }

  /**
   * The gallery when its model's index exists, else undefined: reading a gallery never creates
   * an index (a Pinecone client listing indexes would see it appear).
   * @throws as gallery().
   */
  async existingGallery(name: string, model: string): Promise<Gallery | undefined> {
    const index = galleryIndexName(model);
    if (!(await this.store.listIndexes()).some((spec) => spec.name === index)) return undefined;
    return this.gallery(name, model, false);
  }

  /** Every gallery that holds faces, in each model's index, by model then name. */
  async galleries(): Promise<GallerySummary[]> {
    const existing = new Set((await this.store.listIndexes()).map((spec) => spec.name));
    const found: GallerySummary[] = [];
    for (const model of Object.keys(MODEL_REGISTRY)) {
      const index = galleryIndexName(model);
      if (!existing.has(index)) continue;
      const namespaces = await (await this.store.openIndex(index)).namespaces();
      for (const { name, recordCount } of namespaces) if (recordCount > 0) found.push({ name, model, index, faces: recordCount });
    }
    return found.sort((a, b) => (a.model === b.model ? compare(a.name, b.name) : compare(a.model, b.model)));
  }

  /** Stops the pipeline (in-flight face jobs reject with FV_ERR_CLOSED). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const starting = this.starting;
    this.starting = undefined;
    await (await starting?.catch(() => undefined))?.close();
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
