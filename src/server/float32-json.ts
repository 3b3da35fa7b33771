/**
 * JSON bytes of responses that carry float32 vector values, each value written with the fewest
 * significant digits that read back (as a double, then rounded to float32) to the same float32.
 *
 * Stores keep values as float32. Writing a float32 as the double it widens to gives 17 digits
 * of noise: `[0.5, 0.4]` upserted came back as `[0.5, 0.4000000059604645]`, so a client comparing
 * what it wrote with what it fetched saw a difference. The shortest round-trip form gives back
 * `0.4`, and for values that were not float32 (a double embedding) the nearest float32, in at
 * most 9 digits instead of 17.
 *
 * This is a hot path (a fetch of 1,000 records of 128 values writes 128,000 numbers), so digits
 * are found with exact powers of ten and written as bytes straight into the response: building
 * a string per number cost three times what JSON.stringify of the doubles did.
 */

/** 10^0 … 10^22: the powers of ten a double holds exactly, so scaling by one rounds once. */
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_POWER = POWERS_OF_TEN.length - 1;
/** Every float32 round-trips through 9 significant decimal digits. */
const FLOAT32_DIGITS = 9;
/** 10^FLOAT32_DIGITS: the first mantissa with more digits. */
const FLOAT32_MANTISSA_LIMIT = 10 ** FLOAT32_DIGITS;
/** JavaScript (and so JSON.stringify) writes numbers without an exponent from 1e-7 up to 1e21. */
const PLAIN_EXPONENTS = { min: -6, max: 20 } as const;
/** The longest plain text of a float32: sign, "0.", 6 zeros and 9 digits (or 21 digits and a sign). */
const MAX_FLOAT32_BYTES = 24;

const ZERO = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** A response body written piece by piece into one growing buffer. */
export class JsonBytes {
  private buffer: Buffer;
  private length = 0;

  /** @param capacity a guess of the final size; the buffer grows past it when needed */
  constructor(capacity = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** JSON text as it is (punctuation, keys). */
  raw(text: string): this {
    this.reserve(3 * text.length);
    this.length += this.buffer.write(text, this.length, 'utf8');
    return this;
  }

  /** Any JSON value, as JSON.stringify writes it. */
  json(value: unknown): this {
    return this.raw(JSON.stringify(value));
  }

  /**
   * A JSON array of float32 values in their shortest round-trip form.
   * @example new JsonBytes().float32Array(Float32Array.of(0.5, 0.4, -2)).toString() // → '[0.5,0.4,-2]'
   */
  float32Array(values: Float32Array): this {
    this.reserve(2 + values.length * (MAX_FLOAT32_BYTES + 1));
    this.buffer[this.length++] = OPEN_BRACKET;
    let separator = false;
    for (const value of values) {
      if (separator) this.buffer[this.length++] = COMMA;
      separator = true;
      this.float32(value);
    }
    this.buffer[this.length++] = CLOSE_BRACKET;
    return this;
  }

  /**
   * One float32 value (given as the number it widens to) in its shortest round-trip form.
   * @example new JsonBytes().float32(Math.fround(1 / 3)).toString() // → '0.33333334'
   */
  float32(value: number): this {
    this.reserve(MAX_FLOAT32_BYTES);
    if (value === 0) {
      this.buffer[this.length++] = ZERO;
      return this;
    }
    const magnitude = value < 0 ? -value : value;
    const exponent = decimalExponent(magnitude);
    // The candidate of `digits` significant digits is round(magnitude × 10^scale) / 10^scale, checked
    // by reading it back. Most float32s need 8 or 9 digits, so the search runs down from 9 and
    // keeps the last that reads back. An exponent off by one near a power of ten only shifts the
    // digit count, and a miss falls back to toPrecision.
    let mantissa = -1;
    let scale = 0;
    for (let digits = FLOAT32_DIGITS; digits >= 1; digits--) {
      const candidateScale = digits - 1 - exponent;
      // Undefined past MAX_EXACT_POWER: no exact power of ten to scale by.
      const power = POWERS_OF_TEN[candidateScale < 0 ? -candidateScale : candidateScale];
      if (power === undefined) break;
      const candidate = candidateScale >= 0 ? Math.round(magnitude * power) : Math.round(magnitude / power);
      if (Math.fround(candidateScale >= 0 ? candidate / power : candidate * power) !== magnitude) break;
      mantissa = candidate;
      scale = candidateScale;
    }
    if (mantissa >= 0 && this.plain(value < 0, mantissa, scale)) return this;
    return this.raw(viaPrecision(value));
  }

  /** mantissa × 10^-scale as JavaScript writes it; false where it would use an exponent. */
  private plain(negative: boolean, mantissa: number, scale: number): boolean {
    // At most 9 digits (more only if the exponent was misjudged): an int32, whose % and / are
    // integer operations, not floating-point ones.
    if (mantissa >= FLOAT32_MANTISSA_LIMIT) return false;
    let digits = mantissa | 0;
    while (scale > 0 && digits % 10 === 0) {
      digits = (digits / 10) | 0;
      scale--;
    }
    let count = 1;
    for (let bound = 10; count < FLOAT32_DIGITS && digits >= bound; bound *= 10) count++;
    const exponent = count - 1 - scale;
    if (exponent < PLAIN_EXPONENTS.min || exponent > PLAIN_EXPONENTS.max) return false;
    const { buffer } = this;
    let at = this.length;
    if (negative) buffer[at++] = MINUS;
    if (scale >= count) {
      buffer[at++] = ZERO;
      buffer[at++] = DOT;
      for (let zeros = scale - count; zeros > 0; zeros--) buffer[at++] = ZERO;
    }
    // The digits, last first; a point among them when the value has integer and fraction digits.
    const pointAfter = scale > 0 && scale < count ? count - scale : -1;
    const end = at + count + (pointAfter >= 0 ? 1 : 0);
    let position = end;
    for (let written = 0; written < count; written++) {
      if (pointAfter >= 0 && written === scale) buffer[--position] = DOT;
      buffer[--position] = ZERO + (digits % 10);
      digits = (digits / 10) | 0;
    }
    at = end;
    for (let zeros = -scale; zeros > 0; zeros--) buffer[at++] = ZERO;
    this.length = at;
    return true;
  }

  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  toString(): string {
    return this.buffer.toString('utf8', 0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** floor(log10(magnitude)) for the usual magnitudes of vector values, by comparison (Math.log10 costs more than the rest). */
function decimalExponent(magnitude: number): number {
  let exponent = 0;
  // Each loop stops at MAX_EXACT_POWER, the table's last index, so `?? Infinity` never applies.
  if (magnitude >= 1) {
    while (exponent < MAX_EXACT_POWER && magnitude >= (POWERS_OF_TEN[exponent + 1] ?? Infinity)) exponent++;
  } else {
    while (exponent > -MAX_EXACT_POWER && magnitude * (POWERS_OF_TEN[-exponent] ?? Infinity) < 1) exponent--;
  }
  return exponent;
}

/** The slow path, for magnitudes JavaScript writes with an exponent (below 1e-6 or from 1e21). */
function viaPrecision(value: number): string {
  for (let digits = 1; digits < FLOAT32_DIGITS; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(Number(value.toPrecision(FLOAT32_DIGITS)));
}
