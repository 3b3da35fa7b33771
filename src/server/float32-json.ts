/**
 * JSON text of float32 vector values: each value written with the fewest significant digits
 * that read back (as a double, then rounded to float32) to the same float32.
 *
 * Stores keep values as float32. Writing a float32 as the double it widens to gives 17 digits
 * of noise: `[0.5, 0.4]` upserted came back as `[0.5, 0.4000000059604645]`, so a client comparing
 * what it wrote with what it fetched saw a difference. The shortest round-trip form gives back
 * `0.4`, and for values that were not float32 (a double embedding) the nearest float32, in at
 * most 9 digits instead of 17.
 *
 * This is a hot path (a fetch of 1,000 records of 512 values writes half a million numbers), so
 * the digits are found with exact powers of ten and written from an integer: `String(double)`
 * costs about ten times `String(integer)`.
 */

/** 10^0 … 10^22: the powers of ten a double holds exactly, so scaling by one rounds once. */
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_POWER = POWERS_OF_TEN.length - 1;
/** Every float32 round-trips through 9 significant decimal digits. */
const FLOAT32_DIGITS = 9;
/** JavaScript (and so JSON.stringify) writes numbers without an exponent from 1e-7 up to 1e21. */
const PLAIN_EXPONENTS = { min: -6, max: 20 } as const;
const ZEROS = Array.from({ length: -PLAIN_EXPONENTS.min + FLOAT32_DIGITS + 1 }, (_, i) => '0'.repeat(i));

/**
 * The shortest decimal text of a float32 value (given as the number it widens to).
 * @example float32Text(Math.fround(0.4)) // → '0.4'
 * @example float32Text(Math.fround(1 / 3)) // → '0.33333334'
 */
export function float32Text(value: number): string {
  if (value === 0) return '0';
  const magnitude = value < 0 ? -value : value;
  const exponent = decimalExponent(magnitude);
  // The candidate of `digits` significant digits is round(magnitude × 10^scale) / 10^scale, checked
  // by reading it back; an exponent off by one near a power of ten only shifts the digit count.
  for (let digits = 1; digits <= FLOAT32_DIGITS; digits++) {
    const scale = digits - 1 - exponent;
    if (scale > MAX_EXACT_POWER || -scale > MAX_EXACT_POWER) break;
    const power = POWERS_OF_TEN[scale < 0 ? -scale : scale] as number;
    const mantissa = scale >= 0 ? Math.round(magnitude * power) : Math.round(magnitude / power);
    if (Math.fround(scale >= 0 ? mantissa / power : mantissa * power) === magnitude) return plainText(value, mantissa, scale);
  }
  return viaPrecision(value);
}

/** floor(log10(magnitude)) for the usual magnitudes of vector values, by comparison (Math.log10 costs more than the rest). */
function decimalExponent(magnitude: number): number {
  let exponent = 0;
  if (magnitude >= 1) {
    while (exponent < MAX_EXACT_POWER && magnitude >= (POWERS_OF_TEN[exponent + 1] as number)) exponent++;
  } else {
    while (exponent > -MAX_EXACT_POWER && magnitude * (POWERS_OF_TEN[-exponent] as number) < 1) exponent--;
  }
  return exponent;
}

/** mantissa × 10^-scale (the digits of `value`) as JavaScript writes it, or via toPrecision where it would use an exponent. */
function plainText(value: number, mantissa: number, scale: number): string {
  while (scale > 0 && mantissa % 10 === 0) {
    mantissa /= 10;
    scale--;
  }
  const digits = String(mantissa);
  const exponent = digits.length - 1 - scale;
  if (exponent < PLAIN_EXPONENTS.min || exponent > PLAIN_EXPONENTS.max) return viaPrecision(value);
  const sign = value < 0 ? '-' : '';
  if (scale <= 0) return `${sign}${digits}${ZEROS[-scale] ?? '0'.repeat(-scale)}`;
  if (scale >= digits.length) return `${sign}0.${ZEROS[scale - digits.length] as string}${digits}`;
  return `${sign}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

/** The slow path, for magnitudes JavaScript writes with an exponent (below 1e-6 or from 1e21). */
function viaPrecision(value: number): string {
  for (let digits = 1; digits < FLOAT32_DIGITS; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(Number(value.toPrecision(FLOAT32_DIGITS)));
}

/**
 * A JSON array of float32 values in their shortest round-trip form.
 * @example float32ArrayJson(Float32Array.of(0.5, 0.4, -2)) // → '[0.5,0.4,-2]'
 */
export function float32ArrayJson(values: Float32Array): string {
  if (values.length === 0) return '[]';
  let text = `[${float32Text(values[0] as number)}`;
  for (let i = 1; i < values.length; i++) text += `,${float32Text(values[i] as number)}`;
  return `${text}]`;
}
