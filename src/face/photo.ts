/**
 * A large photo decoded for faces at the resolution each step needs, instead of whole.
 *
 * Decoding a 2-12 megapixel JPEG whole and halving it into a pyramid cost a face worker more than
 * detection and embedding together, though the detector looks at 320×240 and an aligned face is
 * 112×112. A whole photo's detector input is sampled from its pyramid's level n (the photo
 * reduced 2ⁿ times by 2×2 means, n = ⌊log₂ of photo pixels per input pixel⌋, `pyramidLevel`). So
 * a large JPEG or WebP is decoded once at that level's size (the overview), with shrink-on-load:
 * a DCT-scaled decode at 1/2ⁿ⁻¹ and sharp's cubic reduction by 2 stand in for the level's means.
 * The detector, the landmarks and the alignment sample the overview (and its own halvings)
 * wherever it holds at least one pixel per output pixel — where the whole photo's pyramid would
 * sample level n or coarser — so nothing is enlarged and each step sees what it would see in the
 * whole photo, through a slightly different filter. Where the overview would be enlarged (a face
 * small in a large photo), `prepare` decodes that face's neighbourhood as a piece at the level the
 * warp samples: from level 2 up decoded small as the overview is (only down to the piece's last
 * row); at levels 0 and 1 at full resolution, and the warp samples a pyramid of it: the same
 * pixels the whole photo's pyramid would give, since the piece starts on a multiple of 64 pixels
 * (so its halvings fall on the same 2×2 blocks).
 *
 * Why the level's size and the cubic kernel (the first version took the photo over s + 1, just
 * over 320×240, reduced by Lanczos 3): the detector's boxes move with the filtering of its input,
 * and the landmark model moves with the boxes, far on some faces (a box 26 px taller in a
 * 2500-px photo moved img41.jpg's landmarks by 81 px, its embedding by cosine distance 0.134).
 * Aligning from full-resolution pixels would not have helped: with the whole photo's landmarks,
 * the overview's pixels moved that embedding by 0.0006. On the DeepFace set's 62 photos, against
 * decoding whole, the median distance fell from 0.00054 to 0.00025 (img41.jpg 0.012), the largest
 * landmark shift from 9.5 % of the box to 1.8 %, and face-api's 1920-px samples give the same
 * boxes to the pixel. Below level 2 nothing is decoded small: sharp would decode at full size
 * anyway (it keeps a factor of 2 for its own reduction).
 */
import { invertAffine, ImagePyramid, pyramidLevel, type Affine, type FaceImage, type WarpRequest } from './align.js';
import type { EncodedPhoto } from './image.js';
import type { RgbImage } from './types.js';

/** The detector's input (faceplugin's 320×240), whose pyramid level the overview stands in for. */
export const DETECTOR_VIEW = Object.freeze({ width: 320, height: 240 });
/** The smallest pyramid level decoded small: at level 1 sharp decodes the whole photo anyway. */
const MIN_OVERVIEW_LEVEL = 2;
/** Full-resolution pieces start on multiples of this (2⁶: pyramid levels 0-6 of a piece match the whole photo's). */
const PIECE_ALIGN = 64;

/**
 * A part of the photo decoded finer than the overview: at full resolution (level 0, the whole
 * photo's very pixels), or at a pyramid level from 2 up, decoded small as the overview is.
 */
interface Piece {
  readonly level: number;
  /** Photo pixels per piece pixel, across and down (1 at level 0). */
  readonly sx: number;
  readonly sy: number;
  /** The piece's first pixel, in its level's pixels. */
  readonly x: number;
  readonly y: number;
  readonly pyramid: ImagePyramid;
}

interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The overview's size for a photo: its pyramid level n for the detector's view, (width >> n) ×
 * (height >> n); undefined when n is under 2 or the format has no shrink-on-load (the photo is
 * then decoded whole).
 * @example overviewSize({ width: 4000, height: 3000, shrinksOnLoad: true }) // → { width: 500, height: 375 } (level 3)
 */
export function overviewSize(photo: Pick<EncodedPhoto, 'width' | 'height' | 'shrinksOnLoad'>): { width: number; height: number } | undefined {
  if (!photo.shrinksOnLoad) return undefined;
  const n = pyramidLevel([DETECTOR_VIEW.width / photo.width, 0, 0, 0, DETECTOR_VIEW.height / photo.height, 0]);
  return n < MIN_OVERVIEW_LEVEL ? undefined : { width: photo.width >> n, height: photo.height >> n };
}

export class ShrunkPhoto implements FaceImage {
  private readonly pieces: Piece[] = [];
  private decodedWhole: Promise<RgbImage> | undefined;
  /** Photo pixels per overview pixel, across and down. */
  private readonly sx: number;
  private readonly sy: number;

  private constructor(private readonly photo: EncodedPhoto, private readonly overview: ImagePyramid) {
    this.sx = photo.width / overview.width;
    this.sy = photo.height / overview.height;
  }

  /** @throws FV_ERR_IMAGE_* as decodeImage. */
  static async open(photo: EncodedPhoto, size: { width: number; height: number }): Promise<ShrunkPhoto> {
    return new ShrunkPhoto(photo, new ImagePyramid(await photo.resized(size.width, size.height)));
  }

  get width(): number {
    return this.photo.width;
  }

  get height(): number {
    return this.photo.height;
  }

  /** The whole photo at full resolution, decoded once on first call (analysis and liveness read it). @throws as decodeImage. */
  whole(): Promise<RgbImage> {
    this.decodedWhole ??= this.photo.decode();
    return this.decodedWhole;
  }

  /**
   * Decodes the neighbourhoods of the requests the overview is too coarse for and no piece holds
   * yet: one piece for those that sample the whole photo's level 0 or 1 (at full resolution), one
   * for each coarser level (at that level, decoded small: a tenth of the time of full resolution
   * for a 5-megapixel progressive JPEG's face).
   */
  async prepare(requests: readonly WarpRequest[]): Promise<void> {
    const missing = requests
      .filter((r) => this.tooCoarse(r.forward))
      .map((r) => ({ rect: this.support(r), level: this.pieceLevel(r.forward) }))
      .filter(({ rect, level }) => rect.width > 0 && rect.height > 0 && !this.pieces.some((p) => p.level <= level && holds(p, rect)));
    for (const level of new Set(missing.map((m) => m.level))) {
      const rects = missing.filter((m) => m.level === level).map((m) => m.rect);
      const left = Math.min(...rects.map((r) => r.x)), top = Math.min(...rects.map((r) => r.y));
      const right = Math.max(...rects.map((r) => r.x + r.width)), bottom = Math.max(...rects.map((r) => r.y + r.height));
      this.pieces.push(level === 0 ? await this.fullResolutionPiece(left, top, right, bottom) : await this.levelPiece(level, left, top, right, bottom));
    }
  }

  warp(forward: Affine, width: number, height: number): RgbImage {
    if (this.tooCoarse(forward)) {
      const rect = this.support({ forward, width, height });
      const level = this.pieceLevel(forward);
      // The coarsest piece still as fine as the warp samples: the one prepare decoded for it.
      const piece = this.pieces.filter((p) => p.level <= level && holds(p, rect)).sort((p, q) => q.level - p.level)[0];
      const [a, b, c, d, e, f] = forward;
      // Photo → piece at level 0: shift by the piece's origin.
      if (piece?.level === 0) return piece.pyramid.warp([a, b, c + a * piece.x + b * piece.y, d, e, f + d * piece.x + e * piece.y], width, height);
      // Photo → piece at a level: x = sx·(xₚ + x₀) + (sx − 1)/2, as for the overview.
      if (piece) {
        const ox = piece.sx * piece.x + (piece.sx - 1) / 2, oy = piece.sy * piece.y + (piece.sy - 1) / 2;
        return piece.pyramid.warp([a * piece.sx, b * piece.sy, a * ox + b * oy + c, d * piece.sx, e * piece.sy, d * ox + e * oy + f], width, height);
      }
    }
    // Overview → photo: x = sx·xₒ + (sx − 1)/2 (pixel centres, as the pyramid's levels).
    const { sx, sy } = this;
    const ox = (sx - 1) / 2, oy = (sy - 1) / 2;
    const [a, b, c, d, e, f] = forward;
    return this.overview.warp([a * sx, b * sy, a * ox + b * oy + c, d * sx, e * sy, d * ox + e * oy + f], width, height);
  }

  /** The photo's pixels from (left, top) to (right, bottom), starting on a multiple of 64 so that its halvings are the whole photo's. */
  private async fullResolutionPiece(left: number, top: number, right: number, bottom: number): Promise<Piece> {
    const x = Math.floor(left / PIECE_ALIGN) * PIECE_ALIGN, y = Math.floor(top / PIECE_ALIGN) * PIECE_ALIGN;
    const data = await this.photo.region({ x, y, width: right - x, height: bottom - y });
    return { level: 0, sx: 1, sy: 1, x, y, pyramid: new ImagePyramid(data) };
  }

  /** The photo's pixels from (left, top) to (right, bottom) at pyramid level `level`, decoded small as the overview is (a pixel of margin). */
  private async levelPiece(level: number, left: number, top: number, right: number, bottom: number): Promise<Piece> {
    const width = this.width >> level, height = this.height >> level;
    const sx = this.width / width, sy = this.height / height;
    const x = clamp(Math.floor(left / sx) - 1, 0, width - 1), y = clamp(Math.floor(top / sy) - 1, 0, height - 1);
    const x1 = clamp(Math.ceil(right / sx) + 1, x + 1, width), y1 = clamp(Math.ceil(bottom / sy) + 1, y + 1, height);
    const data = await this.photo.resizedRegion(width, height, { x, y, width: x1 - x, height: y1 - y });
    return { level, sx, sy, x, y, pyramid: new ImagePyramid(data) };
  }

  /**
   * The level of the piece a warp too fine for the overview reads: the level the whole photo's
   * pyramid would sample, finer than the overview's; full resolution (0) below level 2, where a
   * small decode would save nothing.
   */
  private pieceLevel(forward: Affine): number {
    const level = Math.min(pyramidLevel(forward), Math.floor(Math.log2(Math.min(this.sx, this.sy))) - 1);
    return level < MIN_OVERVIEW_LEVEL ? 0 : level;
  }

  /** Would the overview be enlarged, i.e. have less than a pixel per output pixel? */
  private tooCoarse(forward: Affine): boolean {
    const inv = invertAffine(forward);
    return Math.sqrt(Math.abs(inv[0] * inv[4] - inv[1] * inv[3])) < Math.max(this.sx, this.sy);
  }

  /** The photo pixels a warp reads at full resolution's pyramid: the output's preimage, widened by the sampled level's reach, inside the photo. */
  private support({ forward, width, height }: WarpRequest): Rect {
    const [a, b, c, d, e, f] = invertAffine(forward);
    const margin = 2 ** (pyramidLevel(forward) + 1) + 2;
    const us: number[] = [], vs: number[] = [];
    for (const [x, y] of [[-0.5, -0.5], [width - 0.5, -0.5], [-0.5, height - 0.5], [width - 0.5, height - 0.5]] as const) {
      us.push(a * x + b * y + c);
      vs.push(d * x + e * y + f);
    }
    if (![...us, ...vs].every(Number.isFinite)) return { x: 0, y: 0, width: 0, height: 0 };
    const x0 = clamp(Math.floor(Math.min(...us) - margin), 0, this.width), x1 = clamp(Math.ceil(Math.max(...us) + margin), 0, this.width);
    const y0 = clamp(Math.floor(Math.min(...vs) - margin), 0, this.height), y1 = clamp(Math.ceil(Math.max(...vs) + margin), 0, this.height);
    // A warp entirely outside the photo reads nothing: an empty rectangle at a corner, which any piece holds.
    return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
  }
}

/** Does the piece cover the rectangle (in photo pixels)? */
function holds(piece: Piece, rect: Rect): boolean {
  const { sx, sy } = piece;
  return sx * piece.x <= rect.x && sy * piece.y <= rect.y && sx * (piece.x + piece.pyramid.width) >= rect.x + rect.width && sy * (piece.y + piece.pyramid.height) >= rect.y + rect.height;
}



function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
