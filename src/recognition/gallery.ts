/**
 * A face gallery over any {@link VectorStore} (design.md §3): enroll photos under subjects,
 * identify the faces of a photo, verify a photo against a stored face, and manage subjects.
 *
 * Layout in the store: one index per model, `faces-<model>` (cosine, the model's dimension);
 * a gallery is a namespace of it, so several galleries share a model's index. A record is one
 * face: id `<photo content hash>-<face number>`, metadata {@link FaceRecordMetadata}.
 */
import { availableParallelism } from 'node:os';
import { fvError, isFacevaultError, type ErrorCode } from '../errors.js';
import type { FaceOptions } from '../face/engine.js';
import { readImageFile, type ImageInput } from '../face/image.js';
import { resolveModel, type ModelEntry } from '../face/models/registry.js';
import type { FacePipeline, Representation, VerifyResult } from '../face/pipeline.js';
import type { FacialArea, Landmarks5, ModelInfo } from '../face/types.js';
import type { MetadataFilter, StoreIndex, StoreRecord, VectorStore } from '../stores/vector-store.js';
import { MAX_BATCH } from '../stores/vector-store.js';
import { forEachConcurrent } from './concurrent.js';
import { gallerySizes } from './gallery-sizes.js';
import type { EnrollItem } from './enroll-sources.js';
import { faceCropsBase64 } from './face-crop.js';
import { contentHash, faceRecordId, toFaceRecord, toRecordMetadata, type FaceRecord, type FaceRecordMetadata } from './face-record.js';
import { cosineDistanceFromScore, decideIdentity, rankSubjects, type Identity, type SubjectCandidate, type ThresholdRule } from './identify.js';
import { DEFAULT_TARGET_FPIR, fpirAt, openSetModelFor, sameSubjectProbability, thresholdForFpir, type OpenSetModel } from './open-set.js';
import { checkSubjectName, holdsControlCharacter } from './subject-name.js';

export const DEFAULT_GALLERY = 'default';

/** The store index that holds a model's faces. @example galleryIndexName('faceplugin-arcface') // → 'faces-faceplugin-arcface' */
export function galleryIndexName(model: string): string {
  return `faces-${model.toLowerCase()}`;
}

export interface GalleryOptions {
  readonly store: VectorStore;
  /** Embeds faces; needed by enroll, identify and verify, not by the subject operations. */
  readonly pipeline?: FacePipeline;
  /** Model name or alias; default the pipeline's model, else the registry's default. */
  readonly model?: string;
  /** The gallery's name: its namespace in the model's index. Default 'default'. */
  readonly name?: string;
  /**
   * Keep a 96×96 thumbnail of each enrolled face (face-crop.ts), for people reviewing candidates.
   * Off by default: a crop is biometric data. Faces enrolled while off have none.
   */
  readonly keepFaceCrops?: boolean;
}

/** Detector settings passed through to the face pipeline. */
export type DetectionOptions = Pick<FaceOptions, 'minFaceSize' | 'scoreThreshold' | 'tiles' | 'align' | 'expandPercentage' | 'refuseSpoof'>;

/** A photo: a file path (kept as its source name unless `source` is given), or its bytes with the name to keep. */
export type PhotoInput = string | { readonly path: string; readonly source?: string } | { readonly bytes: Uint8Array; readonly source: string };

/** Names each enrolled face of a photo (face numbers from 0, in the detector's largest-first order). */
export type SubjectNamer = (face: number, facialArea: FacialArea) => string;

export interface EnrollOptions {
  /** 'one' (default): one face per photo; 'all': every face found. */
  readonly faces?: 'one' | 'all';
  /**
   * With `faces: 'one'`, a photo that shows several faces: 'error' (default, FV_ERR_MULTIPLE_FACES),
   * 'skip' it, or take the 'largest' face or the one nearest the 'central' point.
   */
  readonly onMultipleFaces?: 'error' | 'skip' | 'largest' | 'central';
  readonly detection?: DetectionOptions;
}

export type EnrollStatus = 'enrolled' | 'already-enrolled' | 'skipped' | 'failed';

export interface EnrollOutcome {
  readonly source: string;
  readonly status: EnrollStatus;
  /** The subject the faces are stored under (for an already enrolled photo, the stored one). */
  readonly subject?: string;
  readonly recordIds: readonly string[];
  /** Why a photo was skipped or failed. */
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

export interface EnrollBatchOptions extends EnrollOptions {
  /** Photos in flight at once (default two per core, to keep the pipeline's workers busy). */
  readonly concurrency?: number;
  /** Stops taking new photos; the ones in flight finish and are reported. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (outcome: EnrollOutcome) => void;
}

export interface EnrollSummary {
  /** Photos looked at. */
  readonly photos: number;
  readonly enrolled: number;
  readonly alreadyEnrolled: number;
  readonly skipped: number;
  readonly failed: number;
  /** Face records written. */
  readonly faces: number;
  /** The photos skipped or failed, with the reason. */
  readonly problems: readonly EnrollOutcome[];
  /** True when `signal` stopped the batch before its end. */
  readonly interrupted: boolean;
}

export interface IdentifyOptions {
  /** true: compare with every stored face; false: the approximate index; absent: the store's default. */
  readonly exact?: boolean;
  /** Nearest faces looked at per face (default 10): more lets a subject with many photos outvote near look-alikes in `candidates`. */
  readonly topK?: number;
  /**
   * Cosine distance at or below which a face is recognised. Default: the threshold that holds the
   * target `fpir` at the gallery's current size (open-set.ts `thresholdForFpir`), for a model with a
   * fitted open-set model; else the model's fixed identification threshold (registry
   * `identificationThreshold`). A fixed value names more strangers the larger the gallery: for the
   * default model 0.53 holds an FPIR of about 1.9 % at 1,000 faces, 17 % at 10,000 and 84 % at 100,000.
   */
  readonly threshold?: number;
  /**
   * The false-positive identification rate to hold when no `threshold` is given: the share of
   * strangers' faces named as someone enrolled (default 0.01). Trade-off: lower names fewer
   * strangers and recognises fewer enrolled people; the threshold tightens as the gallery grows
   * (default model, FPIR 1 %: 0.51 at 1,000 faces, 0.43 at 10,000, 0.36 at 100,000, 0.28 at 1M — BENCHMARKS.md).
   */
  readonly fpir?: number;
  /** Candidates listed per face, nearest subject first (default 5), each with its probability of being the same person. */
  readonly candidates?: number;
  readonly detection?: DetectionOptions;
}

export interface IdentifiedFace {
  readonly facialArea: FacialArea;
  /** The detector's five points (as seen: left eye, right eye, nose tip, mouth left, mouth right). */
  readonly landmarks: Landmarks5;
  readonly faceConfidence: number;
  readonly identity: Identity;
  /** Subjects among the nearest faces, nearest first: at most `candidates` of them, for a reviewer to work through. */
  readonly candidates: readonly SubjectCandidate[];
}

/** How an identification's threshold was chosen. */
export type ThresholdSource =
  /** Solved for the target FPIR at the gallery's size, from the model's fitted open-set model. */
  | 'fpir'
  /** Given by the caller. */
  | 'explicit'
  /** The model's fixed identification threshold: it has no fitted open-set model. */
  | 'fixed';

export interface IdentifyResult {
  readonly model: string;
  readonly metric: 'cosine';
  /** The threshold used (cosine distance). */
  readonly threshold: number;
  readonly thresholdSource: ThresholdSource;
  /** The target FPIR the threshold was solved for; null when explicit or fixed. */
  readonly fpirTarget: number | null;
  /**
   * The FPIR the threshold holds at this gallery's size by the model's fitted open-set model (the
   * target itself when solved for it); null for a model without one.
   */
  readonly fpir: number | null;
  /** Faces enrolled in the gallery when it was searched: the N of FPIR = 1 − (1 − FAR)^N. */
  readonly gallerySize: number;
  /** Every face found in the photo, largest first. */
  readonly faces: readonly IdentifiedFace[];
}

export interface RecordVerification extends VerifyResult {
  readonly record: FaceRecord;
}

export interface SubjectSummary {
  readonly subject: string;
  readonly faces: number;
}

const DEFAULT_TOP_K = 10;
const DEFAULT_CANDIDATES = 5;
const MAX_CANDIDATES = 100;
/** Face ids looked up at once when checking whether a photo is enrolled: a photo rarely shows more faces. */
const FACE_LOOKUP_BATCH = 8;

export class Gallery {
  /** Photos being enrolled, by content hash. */
  private readonly enrolling = new Map<string, Promise<void>>();

  private constructor(
    private readonly store: VectorStore,
    private readonly index: StoreIndex<FaceRecordMetadata>,
    private readonly entry: ModelEntry,
    /** The namespace of this gallery in the model's index. */
    readonly name: string,
    private readonly pipeline: FacePipeline | undefined,
    private readonly keepFaceCrops: boolean,
  ) {}

  /**
   * Opens the gallery, creating the model's index in the store when missing.
   * @example const gallery = await Gallery.open({ store, pipeline }); gallery.indexName // → 'faces-faceplugin-arcface'
   * @throws FV_ERR_MODEL_UNKNOWN for an unknown model; FV_ERR_INDEX_CONFIG when the index exists with another dimension; FV_ERR_INVALID_ARGUMENT for a bad name.
   */
  static async open(options: GalleryOptions): Promise<Gallery> {
    const entry = resolveModel(options.model ?? options.pipeline?.model.name);
    const name = options.name ?? DEFAULT_GALLERY;
    if (typeof name !== 'string' || name === '') throw fvError('FV_ERR_INVALID_ARGUMENT', `gallery name must be a non-empty string, got ${JSON.stringify(name)}`, { field: 'name', value: name });
    if (holdsControlCharacter(name)) throw fvError('FV_ERR_INVALID_ARGUMENT', `gallery name ${JSON.stringify(name)} holds a control character`, { field: 'name', value: name });
    const index = await options.store.ensureIndex<FaceRecordMetadata>({ name: galleryIndexName(entry.info.name), dimension: entry.info.dimension, metric: 'cosine' });
    return new Gallery(options.store, index, entry, name, options.pipeline, options.keepFaceCrops ?? false);
  }

  get model(): ModelInfo {
    return this.entry.info;
  }

  get indexName(): string {
    return this.index.spec.name;
  }

  /** The store index behind the gallery, for tools that add records of their own (the demo's synthetic fill). */
  get storeIndex(): StoreIndex {
    return this.index;
  }

  /**
   * The model's fixed identification threshold (cosine distance) and confidence slope: how `identify`
   * decides for a model without a fitted open-set model. With one, `identify` solves the threshold
   * for a target FPIR at the gallery's size instead ({@link Gallery.thresholdFor}).
   */
  get rule(): ThresholdRule {
    return { threshold: this.entry.identificationThreshold, slope: this.entry.confidenceSlope.cosine };
  }

  /**
   * Enrolls the faces of one photo under `subject` (or a name per face). A photo already in the
   * gallery (same bytes) is left as it is and reported `already-enrolled`, whatever the subject.
   * @example (await gallery.enrollPhoto('ada/1.jpg', 'Ada')).recordIds // → ['3f1c...e2-0']
   * @throws FV_ERR_NO_FACE; FV_ERR_MULTIPLE_FACES with `onMultipleFaces: 'error'`; FV_ERR_SUBJECT_NAME;
   *   FV_ERR_IMAGE_INPUT / FV_ERR_IMAGE_DECODE / FV_ERR_IMAGE_TOO_LARGE; FV_ERR_INVALID_ARGUMENT without a pipeline.
   */
  async enrollPhoto(photo: PhotoInput, subject: string | SubjectNamer, options: EnrollOptions = {}): Promise<EnrollOutcome> {
    const pipeline = this.needPipeline('enroll');
    if (typeof subject === 'string') checkSubjectName(subject);
    const { bytes, source } = await readPhoto(photo);
    const hash = contentHash(bytes);
    // The same photo twice in one batch (a copy under another name): the second waits for the first, then finds it enrolled.
    while (this.enrolling.has(hash)) await this.enrolling.get(hash);
    const done = this.enrollNew(bytes, hash, source, subject, options, pipeline);
    const settled = done.then(() => undefined, () => undefined);
    this.enrolling.set(hash, settled);
    try {
      return await done;
    } finally {
      if (this.enrolling.get(hash) === settled) this.enrolling.delete(hash);
    }
  }

  private async enrollNew(bytes: Uint8Array, hash: string, source: string, subject: string | SubjectNamer, options: EnrollOptions, pipeline: FacePipeline): Promise<EnrollOutcome> {
    const existing = await this.storedFaces(hash);
    if (existing.length > 0) return { source, status: 'already-enrolled', subject: existing[0]?.metadata?.subject, recordIds: existing.map((r) => r.id) };
    const faces = await pipeline.represent(bytes, this.enrollFaceOptions(options));
    const mode = options.faces ?? 'one';
    const onMultiple = options.onMultipleFaces ?? 'error';
    if (mode === 'one' && faces.length > 1) {
      const error = { code: 'FV_ERR_MULTIPLE_FACES' as const, message: 'the photo shows several faces where exactly one is required: skip such photos, take the largest or the central face, or enroll every face' };
      if (onMultiple === 'skip') return { source, status: 'skipped', recordIds: [], error };
      throw fvError(error.code, error.message, { source });
    }
    const enrolledAt = new Date();
    // A store batch holds 1,000 records: a photo of more faces than that (none seen yet) keeps its first 1,000.
    const kept = faces.slice(0, MAX_BATCH);
    const crops = this.keepFaceCrops ? await faceCropsBase64(bytes, kept.map((face) => face.facialArea)) : [];
    const records: StoreRecord<FaceRecordMetadata>[] = kept.map((face, i) => ({
      id: faceRecordId(hash, i),
      values: face.embedding,
      metadata: toRecordMetadata({
        subject: typeof subject === 'string' ? subject : checkSubjectName(subject(i, face.facialArea)),
        source,
        model: this.entry.info.name,
        detectorScore: face.faceConfidence,
        facialArea: face.facialArea,
        enrolledAt,
        ...(crops[i] === undefined ? {} : { crop: crops[i] }),
      }),
    }));
    // One upsert per photo: all its faces are stored, or none, so a resumed batch never finds half a
    // photo. Conditional, so that when another server enrolled the same photo meanwhile (the look-up
    // above is no lock across servers), the first enrollment stays and this one reports it.
    const written = await this.index.upsert(records, { namespace: this.name, ifAbsent: true }).finally(() => gallerySizes.forget(this.store, this.indexName, this.name));
    if (written === 0) {
      const stored = await this.storedFaces(hash);
      return { source, status: 'already-enrolled', subject: stored[0]?.metadata?.subject, recordIds: stored.map((r) => r.id) };
    }
    return { source, status: 'enrolled', subject: records[0]?.metadata?.subject, recordIds: records.map((r) => r.id) };
  }

  /**
   * Enrolls many photos, a few at a time. A photo that cannot be enrolled (no face, several,
   * unreadable) is reported in the summary and the batch goes on; a store failure stops it.
   * Resumable: photos already enrolled are recognised by their bytes and skipped cheaply.
   * @throws what the store throws (FV_ERR_CLOSED, FV_ERR_STORAGE_*); FV_ERR_INVALID_ARGUMENT from the item source.
   */
  async enroll(items: Iterable<EnrollItem> | AsyncIterable<EnrollItem>, options: EnrollBatchOptions = {}): Promise<EnrollSummary> {
    this.needPipeline('enroll');
    const counts = { photos: 0, enrolled: 0, alreadyEnrolled: 0, skipped: 0, failed: 0, faces: 0 };
    const problems: EnrollOutcome[] = [];
    const concurrency = options.concurrency ?? 2 * availableParallelism();
    await forEachConcurrent(
      items,
      concurrency,
      async (item) => {
        const outcome = await this.enrollOne(item, options);
        counts.photos++;
        if (outcome.status === 'enrolled') {
          counts.enrolled++;
          counts.faces += outcome.recordIds.length;
        } else if (outcome.status === 'already-enrolled') counts.alreadyEnrolled++;
        else {
          counts[outcome.status]++;
          problems.push(outcome);
        }
        options.onProgress?.(outcome);
      },
      options.signal,
    );
    return { ...counts, problems, interrupted: options.signal?.aborted ?? false };
  }

  /**
   * Who is in the photo: every face found is answered with the nearest enrolled subject within
   * the threshold, or unknown, and a list of candidates (nearest subjects, each with the probability
   * that it is the same person given the gallery's size) for a reviewer. The threshold holds the
   * target FPIR at the gallery's current size unless one is given (see {@link Gallery.thresholdFor}).
   * @example (await gallery.identify('probe.jpg', { exact: true })).faces[0].identity // → { status: 'known', subject: 'Ada', distance: 0.21, confidence: 99.9, recordId: '...-0', probability: 1 }
   * @throws FV_ERR_NO_FACE when the photo shows no face; FV_ERR_TOP_K; FV_ERR_INVALID_ARGUMENT for a bad threshold, fpir or candidates; FV_ERR_IMAGE_*
   */
  async identify(image: ImageInput, options: IdentifyOptions = {}): Promise<IdentifyResult> {
    const pipeline = this.needPipeline('identify');
    const explicit = options.threshold === undefined ? undefined : checkedThreshold(options.threshold);
    const fpirTarget = options.fpir ?? DEFAULT_TARGET_FPIR;
    checkedFpir(fpirTarget);
    const candidates = checkedCandidates(options.candidates ?? DEFAULT_CANDIDATES);
    // The gallery's size is read while the photo is embedded.
    const [faces, faceCount] = await Promise.all([pipeline.represent(image, this.faceOptions(options.detection)), this.recentFaceCount()]);
    // An empty gallery names nobody whatever the threshold; it is solved as for one face.
    const gallerySize = Math.max(1, faceCount);
    const chosen = this.thresholdFor(gallerySize, { threshold: explicit, fpir: fpirTarget });
    const rule = { ...this.rule, threshold: chosen.threshold };
    const openSet = openSetModelFor(this.entry.info.name);
    const probabilityOf = openSet ? (d: number) => sameSubjectProbability(openSet, d, gallerySize) : undefined;
    const identified = await Promise.all(faces.map((face) => this.identifyFace(face, rule, options, candidates, probabilityOf)));
    return { model: this.entry.info.name, metric: 'cosine', ...chosen, gallerySize: faceCount, faces: identified };
  }

  /**
   * The threshold `identify` uses in a gallery of `gallerySize` faces: `threshold` when given, else
   * the one that holds the target `fpir` (default 1 %) by the model's fitted open-set model — never
   * looser than the model's 1:1 verification threshold, so in a very small gallery the FPIR held
   * is below the target — else, for a model without one, the fixed identification threshold.
   * With the FPIR it holds.
   * @example gallery.thresholdFor(10_000) // → { threshold: 0.43, thresholdSource: 'fpir', fpirTarget: 0.01, fpir: 0.01 } (default model)
   * @throws FV_ERR_INVALID_ARGUMENT for a threshold outside 0..2, an FPIR outside (0, 1) or a size that is not an integer >= 1.
   */
  thresholdFor(gallerySize: number, options: { readonly threshold?: number; readonly fpir?: number } = {}): Pick<IdentifyResult, 'threshold' | 'thresholdSource' | 'fpirTarget' | 'fpir'> {
    const openSet: OpenSetModel | undefined = openSetModelFor(this.entry.info.name);
    const held = (threshold: number) => (openSet ? fpirAt(openSet, threshold, gallerySize) : null);
    if (options.threshold !== undefined) {
      const threshold = checkedThreshold(options.threshold);
      return { threshold, thresholdSource: 'explicit', fpirTarget: null, fpir: held(threshold) };
    }
    if (!openSet) return { threshold: this.rule.threshold, thresholdSource: 'fixed', fpirTarget: null, fpir: null };
    const target = checkedFpir(options.fpir ?? DEFAULT_TARGET_FPIR);
    // A small gallery could hold the target with a threshold looser than the 1:1 verification one
    // (0.75 for one face, against 0.68): never name someone whom `verify` would call a different person.
    const solved = thresholdForFpir(openSet, target, gallerySize);
    const cap = this.entry.info.thresholds.cosine;
    return { threshold: Math.min(solved, cap), thresholdSource: 'fpir', fpirTarget: target, fpir: solved > cap ? fpirAt(openSet, cap, gallerySize) : target };
  }

  /**
   * Verifies a photo (its face nearest the stored one, DeepFace's rule) against one stored face, fetched by record id: the
   * reference scenario's key-value check. A 1:1 comparison, so the default threshold is the
   * model's verification one (`model.thresholds.cosine`), not the stricter identification one.
   * @throws FV_ERR_RECORD_NOT_FOUND when the gallery holds no such record; FV_ERR_NO_FACE; FV_ERR_IMAGE_*; FV_ERR_INVALID_ARGUMENT for a bad threshold.
   */
  async verifyRecord(image: ImageInput, recordId: string, options: { readonly threshold?: number; readonly detection?: DetectionOptions } = {}): Promise<RecordVerification> {
    const pipeline = this.needPipeline('verify');
    const stored = (await this.index.fetch([recordId], { namespace: this.name })).get(recordId);
    if (!stored) throw fvError('FV_ERR_RECORD_NOT_FOUND', `gallery "${this.name}" (index ${this.indexName}) holds no face record "${recordId}"`, { id: recordId, gallery: this.name });
    const result = await pipeline.verify(image, stored.values, { ...options.detection, model: this.entry.info.name, metric: 'cosine', threshold: options.threshold === undefined ? this.entry.info.thresholds.cosine : checkedThreshold(options.threshold) });
    return { ...result, record: toFaceRecord(recordId, stored.metadata) };
  }

  /**
   * The stored thumbnail of a face (JPEG bytes), or undefined when the record is not in the
   * gallery or was enrolled without crops.
   */
  async getFaceCrop(recordId: string): Promise<Buffer | undefined> {
    const record = (await this.index.fetch([recordId], { namespace: this.name })).get(recordId);
    const crop = record?.metadata?.crop;
    return typeof crop === 'string' ? Buffer.from(crop, 'base64') : undefined;
  }

  /** A stored face by record id, or undefined. */
  async getRecord(recordId: string): Promise<FaceRecord | undefined> {
    const stored = (await this.index.fetch([recordId], { namespace: this.name })).get(recordId);
    return stored ? toFaceRecord(recordId, stored.metadata) : undefined;
  }

  /** Every subject with its number of faces, by name. Reads every record's metadata: O(faces). */
  async subjects(): Promise<SubjectSummary[]> {
    const counts = new Map<string, number>();
    let paginationToken: string | undefined;
    do {
      const page = await this.index.list({ namespace: this.name, includeMetadata: true, paginationToken });
      for (const { metadata } of page.records) {
        if (typeof metadata?.subject === 'string') counts.set(metadata.subject, (counts.get(metadata.subject) ?? 0) + 1);
      }
      paginationToken = page.next;
    } while (paginationToken !== undefined);
    return [...counts].map(([subject, faces]) => ({ subject, faces })).sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  }

  /** Faces stored in the gallery, of every subject. */
  /**
   * The gallery's size as identify uses it: on the embedded store a count; on a remote store a
   * query at most once per GALLERY_SIZE_MAX_AGE_MS (an empty gallery always afresh), see gallery-sizes.ts.
   */
  recentFaceCount(): Promise<number> {
    return gallerySizes.read(this.store, this.indexName, this.name, () => this.faceCount());
  }

  async faceCount(): Promise<number> {
    return (await this.index.stats()).namespaces[this.name] ?? 0;
  }

  /** Faces stored under `subject` (0 when none). @throws FV_ERR_SUBJECT_NAME */
  async countFaces(subject: string): Promise<number> {
    const stats = await this.index.stats({ filter: subjectFilter(checkSubjectName(subject)) });
    return stats.namespaces[this.name] ?? 0;
  }

  /**
   * Renames a subject on every one of its faces. Renaming onto an existing subject merges the
   * two only with `merge: true` (it cannot be undone).
   * @returns the number of faces renamed.
   * @throws FV_ERR_SUBJECT_NOT_FOUND when `from` has no face; FV_ERR_SUBJECT_NAME; FV_ERR_INVALID_ARGUMENT when `to` exists and `merge` is not set.
   */
  async renameSubject(from: string, to: string, options: { readonly merge?: boolean } = {}): Promise<number> {
    checkSubjectName(to, 'new subject name');
    await this.requireSubject(from);
    if (from === to) return this.countFaces(from);
    const existing = await this.countFaces(to);
    if (existing > 0 && !options.merge) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `subject "${to}" already exists with ${existing} face(s); renaming "${from}" onto it would merge the two: pass merge: true (--merge) to do so`, { field: 'to', value: to, faces: existing });
    }
    return this.index.update({ filter: subjectFilter(from) }, { metadata: { subject: to } }, { namespace: this.name });
  }

  /**
   * Erases every face of a subject: afterwards nothing of it can be fetched, listed or matched,
   * and the store has rewritten whatever still held it (`purge`), so no copy stays in its files.
   * Costs a rewrite of the gallery's namespace on the embedded store.
   * @returns the number of faces erased.
   * @throws FV_ERR_SUBJECT_NOT_FOUND when the subject has no face; FV_ERR_SUBJECT_NAME.
   */
  async eraseSubject(subject: string): Promise<number> {
    const faces = await this.requireSubject(subject);
    await this.index.delete({ filter: subjectFilter(subject) }, { namespace: this.name, purge: true }).finally(() => gallerySizes.forget(this.store, this.indexName, this.name));
    return faces;
  }

  private async requireSubject(subject: string): Promise<number> {
    const faces = await this.countFaces(subject);
    if (faces === 0) throw fvError('FV_ERR_SUBJECT_NOT_FOUND', `gallery "${this.name}" (index ${this.indexName}) has no subject "${subject}"`, { subject, gallery: this.name });
    return faces;
  }

  private async enrollOne(item: EnrollItem, options: EnrollOptions): Promise<EnrollOutcome> {
    try {
      return await this.enrollPhoto({ path: item.path, source: item.source }, item.subject, options);
    } catch (err) {
      // A client error belongs to this photo; anything else (store closed, disk failure) stops the batch.
      if (isFacevaultError(err) && err.status < 500) return { source: item.source, status: 'failed', subject: item.subject, recordIds: [], error: { code: err.code, message: err.message } };
      throw err;
    }
  }

  private async identifyFace(face: Representation, rule: ThresholdRule, options: IdentifyOptions, listed: number, probabilityOf: ((d: number) => number) | undefined): Promise<IdentifiedFace> {
    // Enough nearest faces for the list: a subject with several faces takes several of them.
    const topK = Math.max(options.topK ?? DEFAULT_TOP_K, listed);
    const matches = await this.index.query({ namespace: this.name, vector: face.embedding, topK, includeMetadata: true, exact: options.exact });
    const faceMatches = matches.flatMap((m) => (typeof m.metadata?.subject === 'string' ? [{ recordId: m.id, subject: m.metadata.subject, distance: cosineDistanceFromScore(m.score) }] : []));
    const candidates = rankSubjects(faceMatches, rule, probabilityOf);
    return { facialArea: face.facialArea, landmarks: face.landmarks, faceConfidence: face.faceConfidence, identity: decideIdentity(candidates, rule), candidates: candidates.slice(0, listed) };
  }

  /**
   * The records of a photo already in the gallery, by key look-ups: its faces are numbered from 0
   * without gaps (one upsert per photo), so nothing needs to list the index: a listing by prefix
   * sorted every id of the namespace again after each write, and enrolling 2,000 LFW photos into a
   * gallery of 100,000 ran at 26.8 faces/s against 73.8 by look-ups (`bench/recognition.ts --parts enroll`).
   */
  private async storedFaces(hash: string): Promise<StoreRecord<FaceRecordMetadata>[]> {
    const found: StoreRecord<FaceRecordMetadata>[] = [];
    for (let first = 0; ; first += FACE_LOOKUP_BATCH) {
      const ids = Array.from({ length: FACE_LOOKUP_BATCH }, (_, i) => faceRecordId(hash, first + i));
      const records = await this.index.fetch(ids, { namespace: this.name });
      for (const id of ids) {
        const record = records.get(id);
        if (!record) return found;
        found.push(record);
      }
    }
  }

  private faceOptions(detection: DetectionOptions = {}): FaceOptions {
    return { ...detection, model: this.entry.info.name };
  }

  private enrollFaceOptions(options: EnrollOptions): FaceOptions {
    const base = this.faceOptions(options.detection);
    if (options.faces === 'all') return base;
    const onMultiple = options.onMultipleFaces ?? 'error';
    // Two faces are enough to know that a photo shows several.
    if (onMultiple === 'error' || onMultiple === 'skip') return { ...base, maxFaces: 2 };
    return { ...base, maxFaces: 1, select: onMultiple };
  }

  private needPipeline(operation: string): FacePipeline {
    if (!this.pipeline) throw fvError('FV_ERR_INVALID_ARGUMENT', `${operation} needs a face pipeline: open the gallery with { pipeline }`, { operation });
    return this.pipeline;
  }
}

function checkedThreshold(threshold: number): number {
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 2) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `threshold must be a cosine distance from 0 to 2, got ${threshold}`, { field: 'threshold', value: threshold });
  }
  return threshold;
}

function checkedFpir(fpir: number): number {
  if (!(fpir > 0 && fpir < 1)) throw fvError('FV_ERR_INVALID_ARGUMENT', `fpir must be a share between 0 and 1 (0.01 for 1 %), got ${fpir}`, { field: 'fpir', value: fpir });
  return fpir;
}

function checkedCandidates(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CANDIDATES) throw fvError('FV_ERR_INVALID_ARGUMENT', `candidates must be an integer from 1 to ${MAX_CANDIDATES}, got ${count}`, { field: 'candidates', value: count });
  return count;
}

function subjectFilter(subject: string): MetadataFilter {
  return { subject: { $eq: subject } };
}

/**
 * The photo's bytes (its content hash is its identity) and the name kept as its source, read by
 * the pipeline's one image reader (symbolic links followed, size checked before reading).
 */
async function readPhoto(photo: PhotoInput): Promise<{ bytes: Uint8Array; source: string }> {
  if (typeof photo !== 'string' && 'bytes' in photo) return photo;
  const path = typeof photo === 'string' ? photo : photo.path;
  const source = typeof photo === 'string' ? photo : (photo.source ?? photo.path);
  return { bytes: await readImageFile(path), source };
}
