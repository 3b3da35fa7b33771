/**
 * The JSON parser of upsert bodies: 1,000 records of 128 full-precision doubles are 2.6 MB of
 * JSON and 128,000 numbers, which `JSON.parse` (after decoding the bytes to a string) turned
 * into half the server's time per request. This parser reads the bytes directly; the numbers of
 * `values` arrays, which every store keeps as float32, are read with exact powers of ten instead
 * of a correctly rounded decimal conversion.
 *
 * It returns what `JSON.parse` returns, with one difference: a value of a `values` array with
 * more than 15 significant digits may be off from the nearest double by a few units in the
 * last place (2^-50 relative at most) — never enough to change the float32 it rounds to, because
 * a value that close to the midpoint between two float32s is read exactly. Everything else —
 * ids, metadata, the namespace, fields no store knows, any `values` element that is not a plain
 * number — goes through `JSON.parse`, so route validation and the stores see what they always
 * saw. A body it does not expect (not an object of records, invalid JSON, a `__proto__` or
 * `constructor` key that the default parser guards against) is handed to {@link fallback}
 * whole.
 */
import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';

const enum Byte {
  Tab = 0x09,
  NewLine = 0x0a,
  Return = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  UpperE = 0x45,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  FirstNonAscii = 0x80,
}

/**
 * What a read past the end of the body gives: NaN fails every comparison with a byte (as
 * `undefined` did), so a loop over digits, spaces or a string's bytes stops there and the parser
 * refuses the body. `bytes[i] ?? END` costs nothing on an in-range read.
 */
const END = Number.NaN;

/** 10^0 … 10^22: the powers of ten a double holds exactly, so scaling by one rounds once. */
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
/** A mantissa of up to 15 decimal digits is an exact integer in a double (2^53 ≈ 9.007e15). */
const EXACT_DIGITS = 15;
/** Digits beyond 17 move the value by less than 10^-16 of itself, below a double's own rounding. */
const KEPT_DIGITS = 17;
/** Relative distance from a value within which the float32 it rounds to must not change. */
const FLOAT32_MARGIN = 2 ** -40;

/** Thrown inside the parser when the body is not what it expects; the caller falls back. */
class Unexpected extends Error {}
const UNEXPECTED = new Unexpected();

export type JsonFallback = (text: string) => unknown;

/**
 * Parses an upsert body.
 * @param fallback parses a body this parser does not take (fastify's default JSON parser, with its
 *   prototype-poisoning guard and its errors).
 * @example parseUpsertBody(Buffer.from('{"vectors":[{"id":"a","values":[0.5,0.25]}]}'), JSON.parse)
 *   // → { vectors: [{ id: 'a', values: [0.5, 0.25] }] }
 * @throws fastify's FST_ERR_CTP_EMPTY_JSON_BODY for an empty body; what `fallback` throws.
 */
export function parseUpsertBody(body: Buffer, fallback: JsonFallback): unknown {
  if (body.length === 0) throw new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY();
  if (body.includes('__proto__') || body.includes('constructor')) return fallback(body.toString('utf8'));
  try {
    return new UpsertReader(body).read();
  } catch (err) {
    if (err !== UNEXPECTED) throw err;
    return fallback(body.toString('utf8'));
  }
}

/**
 * Reusable buffers that upsert bodies are received into. fastify's buffer parser gathers a body's
 * chunks and joins them into a new Buffer per request: 2.7 MB of fresh memory for each upsert of
 * 1,000 × 128 doubles, which on this machine's VM costs page faults on first touch (measured for
 * 41 chunks of 64 KiB: Buffer.concat median 0.17 ms but p90 7.9-17 ms, copying into a kept buffer
 * 0.05 ms). A buffer is taken when a body starts and given back once it has been parsed (the parsed
 * value holds no view of it); at most `KEPT` buffers of at most `MAX_KEPT_BYTES` are kept.
 */
export class BodyBuffers {
  private static readonly KEPT = 2;
  private static readonly MAX_KEPT_BYTES = 16 * 1024 * 1024;
  private readonly free: Buffer[] = [];

  /** A buffer of at least `bytes`: a kept one when one is large enough. */
  take(bytes: number): Buffer {
    const fits = this.free.findIndex((buffer) => buffer.length >= bytes);
    if (fits >= 0) return this.free.splice(fits, 1)[0] as Buffer;
    return Buffer.allocUnsafeSlow(Math.max(bytes, 64 * 1024));
  }

  give(buffer: Buffer): void {
    if (buffer.length > BodyBuffers.MAX_KEPT_BYTES) return;
    if (this.free.length >= BodyBuffers.KEPT) {
      // Keep the larger ones: they serve every smaller body too.
      const smallest = this.free.reduce((min, b, i, all) => (b.length < (all[min] as Buffer).length ? i : min), 0);
      if ((this.free[smallest] as Buffer).length >= buffer.length) return;
      this.free.splice(smallest, 1);
    }
    this.free.push(buffer);
  }
}

/**
 * Receives a request body into a buffer from `buffers` and calls `parse` on exactly its bytes,
 * with the checks and errors of fastify's own body reader: over `limit` bytes
 * (FST_ERR_CTP_BODY_TOO_LARGE, 413), fewer or more bytes than a declared `Content-Length`
 * (FST_ERR_CTP_INVALID_CONTENT_LENGTH), a stream error (its own error, with status 400 unless it
 * carries a 4xx or 5xx). A body without a length grows its buffer by doubling.
 */
export function receiveBody<T>(payload: Readable, declaredLength: number, limit: number, buffers: BodyBuffers, parse: (body: Buffer) => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (declaredLength > limit) {
      reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const known = Number.isSafeInteger(declaredLength) && declaredLength >= 0;
    let buffer: Buffer | undefined = buffers.take(known ? declaredLength : 64 * 1024);
    let received = 0;
    const finish = (err: unknown, done?: () => T): void => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      const held = buffer;
      buffer = undefined;
      try {
        if (err !== undefined) reject(err);
        else resolve((done as () => T)());
      } catch (parseError) {
        reject(parseError);
      } finally {
        if (held !== undefined) buffers.give(held);
      }
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (buffer === undefined) return;
      if (received + bytes.length > limit) {
        finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      if (received + bytes.length > buffer.length) {
        // More than declared (refused at the end, as fastify does) or a body without a length.
        const grown = Buffer.allocUnsafeSlow(Math.min(limit, Math.max(2 * buffer.length, received + bytes.length)));
        buffer.copy(grown, 0, 0, received);
        buffers.give(buffer);
        buffer = grown;
      }
      bytes.copy(buffer, received);
      received += bytes.length;
    };
    const onEnd = (): void => {
      if (known && received !== declaredLength) {
        finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      const body = (buffer as Buffer).subarray(0, received);
      finish(undefined, () => parse(body));
    };
    const onError = (err: Error & { statusCode?: number }): void => {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      finish(err);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

class UpsertReader {
  private at = 0;
  /** The body as a plain Uint8Array: indexing a Buffer subclass is slower in hot loops. */
  private readonly bytes: Uint8Array;

  constructor(private readonly body: Buffer) {
    this.bytes = new Uint8Array(body.buffer, body.byteOffset, body.length);
  }

  read(): Record<string, unknown> {
    const body = this.object((key) => (key === 'vectors' && this.peek() === Byte.OpenBracket ? this.records() : this.anyValue()));
    this.space();
    if (this.at !== this.bytes.length) throw UNEXPECTED;
    return body;
  }

  private records(): unknown[] {
    return this.array(() => (this.peek() === Byte.OpenBrace ? this.object((key) => this.recordField(key)) : this.anyValue()));
  }

  private recordField(key: string): unknown {
    if (key === 'values' && this.peek() === Byte.OpenBracket) return this.values();
    if (key === 'id' && this.peek() === Byte.Quote) return this.string();
    return this.anyValue();
  }

  /** `{ "key": value, ... }`, each value read by `field`; a later duplicate key wins, as in JSON.parse. */
  private object(field: (key: string) => unknown): Record<string, unknown> {
    this.expect(Byte.OpenBrace);
    const result: Record<string, unknown> = {};
    if (this.peek() === Byte.CloseBrace) {
      this.at++;
      return result;
    }
    for (;;) {
      if (this.peek() !== Byte.Quote) throw UNEXPECTED;
      const key = this.string();
      this.expect(Byte.Colon);
      this.space();
      result[key] = field(key);
      const next = this.peek();
      this.at++;
      if (next === Byte.CloseBrace) return result;
      if (next !== Byte.Comma) throw UNEXPECTED;
      this.space();
    }
  }

  private array<T>(element: () => T): T[] {
    this.expect(Byte.OpenBracket);
    const result: T[] = [];
    if (this.peek() === Byte.CloseBracket) {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      result.push(element());
      const next = this.peek();
      this.at++;
      if (next === Byte.CloseBracket) return result;
      if (next !== Byte.Comma) throw UNEXPECTED;
    }
  }

  /** A `values` array; one that holds anything but plain numbers is read by JSON.parse, as it is. */
  private values(): unknown {
    const start = this.at;
    try {
      return this.numbers();
    } catch (err) {
      if (err !== UNEXPECTED) throw err;
      this.at = start;
      return this.anyValue();
    }
  }

  /** `[number, ...]`, the hot loop: 128,000 numbers a request. */
  private numbers(): number[] {
    this.expect(Byte.OpenBracket);
    const result: number[] = [];
    if (this.bytes[this.at] === Byte.CloseBracket) {
      this.at++;
      return result;
    }
    for (;;) {
      result.push(this.number());
      let next = this.bytes[this.at];
      if (next !== Byte.Comma && next !== Byte.CloseBracket) next = this.peek();
      this.at++;
      if (next === Byte.CloseBracket) return result;
      if (next !== Byte.Comma) throw UNEXPECTED;
      if ((this.bytes[this.at] ?? END) <= Byte.Space) this.space();
    }
  }

  /**
   * A JSON number as a double: exact up to 15 significant digits (one rounding of an exact
   * integer by an exact power of ten), within 2^-50 beyond, and read exactly where that
   * distance could change the float32 it rounds to.
   */
  private number(): number {
    const { bytes } = this;
    const start = this.at;
    let i = start;
    const negative = bytes[i] === Byte.Minus;
    if (negative) i++;
    let mantissa = 0;
    let kept = 0;
    let dropped = false;
    /** The power of ten of the mantissa's last digit. */
    let scale = 0;
    if (bytes[i] === Byte.Zero) i++;
    else {
      const integerStart = i;
      for (let byte = bytes[i] ?? END; byte >= Byte.Zero && byte <= Byte.Nine; byte = bytes[++i] ?? END) {
        if (kept < KEPT_DIGITS) {
          mantissa = mantissa * 10 + (byte - Byte.Zero);
          kept++;
        } else {
          scale++;
          dropped = true;
        }
      }
      if (i === integerStart) throw UNEXPECTED;
    }
    if (bytes[i] === Byte.Dot) {
      const fractionStart = ++i;
      // Leading zeros of a fraction are not significant digits.
      if (kept === 0) while (bytes[i] === Byte.Zero) i++;
      const significantStart = i;
      const last = i + KEPT_DIGITS - kept;
      for (let byte = bytes[i] ?? END; i < last && byte >= Byte.Zero && byte <= Byte.Nine; byte = bytes[++i] ?? END) mantissa = mantissa * 10 + (byte - Byte.Zero);
      kept += i - significantStart;
      scale -= i - fractionStart;
      for (let byte = bytes[i] ?? END; byte >= Byte.Zero && byte <= Byte.Nine; byte = bytes[++i] ?? END) dropped = true;
      if (i === fractionStart) throw UNEXPECTED;
    } else {
      const next = bytes[i] ?? END;
      if (next >= Byte.Zero && next <= Byte.Nine) throw UNEXPECTED; // a leading zero: 01
    }
    let exponent = 0;
    if (bytes[i] === Byte.LowerE || bytes[i] === Byte.UpperE) {
      i++;
      const sign = bytes[i] === Byte.Minus ? -1 : 1;
      if (bytes[i] === Byte.Minus || bytes[i] === Byte.Plus) i++;
      const exponentStart = i;
      for (let byte = bytes[i] ?? END; byte >= Byte.Zero && byte <= Byte.Nine; byte = bytes[++i] ?? END) exponent = exponent * 10 + (byte - Byte.Zero);
      if (i === exponentStart) throw UNEXPECTED;
      exponent *= sign;
    }
    this.at = i;
    const power = scale + exponent;
    // Past 10^±22 there is no exact power of ten to scale by.
    const powerOfTen = POWERS_OF_TEN[power < 0 ? -power : power];
    if (powerOfTen === undefined) return this.exactly(start, i);
    const magnitude = power < 0 ? mantissa / powerOfTen : mantissa * powerOfTen;
    const value = negative ? -magnitude : magnitude;
    if (kept <= EXACT_DIGITS && !dropped) return value;
    const float32 = Math.fround(value);
    if (Math.fround(value * (1 + FLOAT32_MARGIN)) !== float32 || Math.fround(value * (1 - FLOAT32_MARGIN)) !== float32) return this.exactly(start, i);
    return value;
  }

  private exactly(start: number, end: number): number {
    return Number(this.body.toString('latin1', start, end));
  }

  /** A string: sliced when plain ASCII, else read by JSON.parse (escapes, UTF-8). */
  private string(): string {
    const { bytes } = this;
    const start = this.at;
    let i = start + 1;
    let plain = true;
    for (let byte = bytes[i] ?? END; byte !== Byte.Quote; byte = bytes[++i] ?? END) {
      if (i >= bytes.length) throw UNEXPECTED;
      if (byte === Byte.Backslash) {
        plain = false;
        i++;
      } else if (byte >= Byte.FirstNonAscii || byte < Byte.Space) plain = false;
    }
    this.at = i + 1;
    if (plain) return this.body.toString('latin1', start + 1, i);
    try {
      return JSON.parse(this.body.toString('utf8', start, i + 1)) as string;
    } catch {
      throw UNEXPECTED;
    }
  }

  /** Any JSON value, by JSON.parse of its text. */
  private anyValue(): unknown {
    const start = this.at;
    this.skipValue();
    try {
      return JSON.parse(this.body.toString('utf8', start, this.at));
    } catch {
      throw UNEXPECTED;
    }
  }

  /** Moves past one value: a string, or anything up to the comma or bracket that closes it at its own depth. */
  private skipValue(): void {
    const { bytes } = this;
    let depth = 0;
    for (let i = this.at; i < bytes.length; i++) {
      const byte = bytes[i] ?? END;
      if (byte === Byte.Quote) {
        this.at = i;
        this.string();
        i = this.at - 1;
        if (depth === 0) return;
      } else if (byte === Byte.OpenBrace || byte === Byte.OpenBracket) depth++;
      else if (byte === Byte.CloseBrace || byte === Byte.CloseBracket) {
        if (depth === 0) {
          this.at = i;
          return;
        }
        if (--depth === 0) {
          this.at = i + 1;
          return;
        }
      } else if (byte === Byte.Comma && depth === 0) {
        this.at = i;
        return;
      }
    }
    throw UNEXPECTED;
  }

  private peek(): number {
    this.space();
    return this.bytes[this.at] ?? END;
  }

  private expect(byte: Byte): void {
    if (this.peek() !== byte) throw UNEXPECTED;
    this.at++;
    this.space();
  }

  private space(): void {
    const { bytes } = this;
    let byte = bytes[this.at];
    while (byte === Byte.Space || byte === Byte.NewLine || byte === Byte.Return || byte === Byte.Tab) byte = bytes[++this.at];
  }
}
