/**
 * Which embedded ICC profiles can be left unapplied: those whose transform to sRGB changes no
 * colour by more than one level in 255 (an sRGB profile embedded in an sRGB photo, the common
 * case for photos from the web).
 *
 * sharp converts every photo that carries a profile to sRGB through lcms, pixel by pixel, before
 * anything else: 35 ns a pixel here, 130 ms of a 5-megapixel photo's 165 ms decode (DeepFace's
 * img41.jpg), to give back the same bytes when the profile is sRGB's (img41.jpg: not one byte
 * differs). Whether a profile is such an identity is asked of lcms itself, once per distinct
 * profile: a probe JPEG holding 4,096 colours across the RGB cube (every grey among them) is
 * decoded with the profile and without it. The common v2 "sRGB IEC61966-2.1" profile moves 53 of
 * the probe's 12,288 channel values, each by one level (saturated greens whose red is near 0); a
 * Display P3 or Adobe RGB profile moves thousands, by up to 25 levels. So one level is the
 * tolerance: within it, the transform is skipped for every photo that carries the profile.
 * Anything else (a profile lcms refuses, one too large to splice) keeps the transform, as before.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';

/** The probe's side: 64 × 64 = 4,096 colours, 16 levels a channel. */
const PROBE_SIDE = 64;
/** Largest change of a channel, in levels of 255, that still counts as no change. */
const TOLERANCE = 1;
/** Profiles remembered (by content); a server sees a handful of distinct ones. */
const MAX_REMEMBERED = 64;
/** Bytes of profile per APP2 segment: 65,535 less the length field, the "ICC_PROFILE\0" tag and the two chunk counters. */
const APP2_CHUNK = 65_519;
const ICC_TAG = Buffer.from('ICC_PROFILE\0', 'latin1');

const verdicts = new Map<string, Promise<boolean>>();
let probe: Promise<Buffer> | undefined;

/**
 * Does converting from `profile` to sRGB leave colours as they are (within one level)? Cached per profile content.
 * Never throws: a profile that cannot be probed is reported as not an identity.
 * @example await isIdentityProfile(srgbProfileBytes) // → true; a Display P3 or Adobe RGB profile → false
 */
export function isIdentityProfile(profile: Uint8Array): Promise<boolean> {
  const key = createHash('sha256').update(profile).digest('base64');
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = probeProfile(profile).catch(() => false);
    if (verdicts.size >= MAX_REMEMBERED) verdicts.delete(verdicts.keys().next().value as string);
    verdicts.set(key, verdict);
  }
  return verdict;
}

async function probeProfile(profile: Uint8Array): Promise<boolean> {
  const chunks = Math.ceil(profile.byteLength / APP2_CHUNK);
  if (profile.byteLength === 0 || chunks > 255) return false;
  const jpeg = withProfile(await probeJpeg(), profile, chunks);
  const decode = (ignoreIcc: boolean) => sharp(jpeg, { failOn: 'warning', ignoreIcc }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const [applied, ignored] = await Promise.all([decode(false), decode(true)]);
  if (applied.info.channels !== 3 || applied.data.length !== ignored.data.length) return false;
  for (let i = 0; i < applied.data.length; i++) if (Math.abs((applied.data[i] ?? 0) - (ignored.data[i] ?? 0)) > TOLERANCE) return false;
  return true;
}

/** 4,096 colours (r, g, b in 16 steps of 17, so every grey of the grid too), as a 4:4:4 JPEG of quality 100. */
function probeJpeg(): Promise<Buffer> {
  probe ??= (() => {
    const pixels = Buffer.alloc(PROBE_SIDE * PROBE_SIDE * 3);
    for (let i = 0; i < PROBE_SIDE * PROBE_SIDE; i++) {
      pixels[i * 3] = (i & 15) * 17;
      pixels[i * 3 + 1] = ((i >> 4) & 15) * 17;
      pixels[i * 3 + 2] = (i >> 8) * 17;
    }
    return sharp(pixels, { raw: { width: PROBE_SIDE, height: PROBE_SIDE, channels: 3 } }).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
  })();
  return probe;
}

/** The JPEG with `profile` spliced in after its SOI marker, in APP2 "ICC_PROFILE" segments (ICC.1:2010 annex B.4). */
function withProfile(jpeg: Buffer, profile: Uint8Array, chunks: number): Buffer {
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  for (let i = 0; i < chunks; i++) {
    const data = profile.subarray(i * APP2_CHUNK, (i + 1) * APP2_CHUNK);
    const header = Buffer.alloc(4);
    header[0] = 0xff;
    header[1] = 0xe2;
    header.writeUInt16BE(2 + ICC_TAG.length + 2 + data.byteLength, 2);
    parts.push(header, ICC_TAG, Uint8Array.of(i + 1, chunks), data);
  }
  parts.push(jpeg.subarray(2));
  return Buffer.concat(parts);
}
