/**
 * How a gallery stores one enrolled face: its stable record id and its metadata.
 *
 * The id is the photo's content hash plus the face's number in it, so the same photo enrolled
 * twice (under any file name) maps to the same records and changes nothing, and a photo already
 * enrolled is recognised from its bytes alone, without detecting a face.
 */
import { createHash } from 'node:crypto';
import type { FacialArea } from '../face/types.js';
import type { RecordMetadata } from '../stores/vector-store.js';

/** Metadata of an enrolled face, as stored (flat: store metadata holds no nested objects). */
export interface FaceRecordMetadata extends RecordMetadata {
  subject: string;
  /** The photo's name as it was enrolled (file path relative to what was given, or a caller's label). */
  source: string;
  model: string;
  /** Detector confidence 0-1. */
  detectorScore: number;
  boxX: number;
  boxY: number;
  boxW: number;
  boxH: number;
  /** ISO 8601. */
  enrolledAt: string;
}

/** An enrolled face's metadata with its thumbnail: a 96×96 JPEG, base64, only in galleries that keep face crops (face-crop.ts). */
export interface FaceRecordWithCrop extends FaceRecordMetadata {
  crop: string;
}

/** An enrolled face as the gallery reports it. */
export interface FaceRecord {
  readonly id: string;
  readonly subject: string;
  readonly source: string;
  readonly model: string;
  readonly detectorScore: number;
  readonly box: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly enrolledAt: string;
}

/** SHA-256 of the photo's bytes, 32 hex digits (128 bits: collisions are out of reach). */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/**
 * @example faceRecordId('9f86d081884c7d659a2feaa0c55ad015', 0) // → '9f86d081884c7d659a2feaa0c55ad015-0'
 */
export function faceRecordId(photoHash: string, face: number): string {
  return `${photoHash}-${face}`;
}

export function toRecordMetadata(fields: { subject: string; source: string; model: string; detectorScore: number; facialArea: FacialArea; enrolledAt: Date; crop?: string }): FaceRecordMetadata | FaceRecordWithCrop {
  const { x, y, w, h } = fields.facialArea;
  return {
    subject: fields.subject,
    source: fields.source,
    model: fields.model,
    detectorScore: round(fields.detectorScore, 4),
    boxX: Math.round(x),
    boxY: Math.round(y),
    boxW: Math.round(w),
    boxH: Math.round(h),
    enrolledAt: fields.enrolledAt.toISOString(),
    ...(fields.crop === undefined ? {} : { crop: fields.crop }),
  };
}

/** Reads a stored record's metadata back; fields another writer left out come back empty rather than failing. */
export function toFaceRecord(id: string, metadata: Partial<FaceRecordMetadata> | undefined): FaceRecord {
  const m = metadata ?? {};
  return {
    id,
    subject: typeof m.subject === 'string' ? m.subject : '',
    source: typeof m.source === 'string' ? m.source : '',
    model: typeof m.model === 'string' ? m.model : '',
    detectorScore: typeof m.detectorScore === 'number' ? m.detectorScore : 0,
    box: { x: num(m.boxX), y: num(m.boxY), w: num(m.boxW), h: num(m.boxH) },
    enrolledAt: typeof m.enrolledAt === 'string' ? m.enrolledAt : '',
  };
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function round(value: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(value * k) / k;
}
