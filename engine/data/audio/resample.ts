/**
 * Rational-ratio resampling with a windowed-sinc polyphase filter, the approach of soxr and of scipy's
 * `resample_poly`: the rate changes by L/M (reduced), the signal is conceptually upsampled by L, low-pass
 * filtered and kept every M-th sample, but only the taps that meet non-zero input are computed (one of the L
 * phases of the filter per output sample). Output sample n is y[n] = Σ_i h[n·M − i·L + half] · x[i], with h
 * the linear-phase filter of odd length 2·half + 1 scaled by L: the same alignment as scipy's
 * `resample_poly(x, L, M, window=h)`, whose output the tests compare with.
 *
 * The filter (our choice, stated): a Kaiser-windowed sinc whose stop band starts at the lower of the two
 * Nyquist frequencies, so that nothing above the new Nyquist aliases into the spectrogram (downsampling) and
 * no image of the old band survives (upsampling), with ≥ 70 dB of stop-band attenuation (Kaiser's β for 70
 * dB, 0.1102·(70 − 8.7)); its pass band reaches 90% of that Nyquist (7.2 kHz for 16 kHz output), the
 * transition band between is 10% of it. scipy's default filter instead puts its −6 dB cut-off at the Nyquist
 * with β = 5 (~50 dB), which lets the band just above 8 kHz fold back.
 */

/**
 * Part of every cache key (fingerprint.ts): a cache decoded with another resampler is rebuilt, not mixed.
 * 1: this polyphase filter (before it, wavefile's resampler).
 */
export const RESAMPLER_VERSION = 1;

/** Stop-band attenuation of the filter, in dB. */
export const STOP_BAND_DB = 70;
/** The pass band's edge as a share of the lower Nyquist frequency; the stop band starts at that Nyquist. */
export const PASS_BAND_SHARE = 0.9;
/** Ratios needing more phases than this (rates with no common factor with the target) are left to wavefile. */
export const MAX_PHASES = 4096;

/** A designed resampler for one ratio: its polyphase taps. */
export interface PolyphaseFilter {
  up: number;
  down: number;
  /** Half the filter's length, in upsampled samples. */
  half: number;
  /** `phases[p][k]` = h[p + k·up]: the taps that meet input samples for outputs whose centre has phase p. */
  phases: Float64Array[];
  /** The whole filter h (scaled by `up`), for tests and references. */
  taps: Float64Array;
}

const designs = new Map<string, PolyphaseFilter>();

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The reduced ratio L/M from `fromRate` to `toRate`, or null where it needs more than {@link MAX_PHASES} phases. */
export function resampleRatio(fromRate: number, toRate: number): { up: number; down: number } | null {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) return null;
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor;
  return up > MAX_PHASES ? null : { up, down: fromRate / divisor };
}

/** Zeroth-order modified Bessel function of the first kind (the Kaiser window's), by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarter = (x * x) / 4;
  for (let k = 1; k < 200; k += 1) {
    term *= quarter / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * The filter of the ratio up/down (designed once per ratio and kept): Kaiser β and length from Kaiser's
 * formulas for {@link STOP_BAND_DB} dB and the transition band, cut-off in the middle of that band.
 */
export function polyphaseFilter(up: number, down: number): PolyphaseFilter {
  const key = `${up}/${down}`;
  const known = designs.get(key);
  if (known) return known;
  // Frequencies as shares of the upsampled rate's Nyquist: the lower Nyquist is 1 / max(up, down).
  const nyquist = 1 / Math.max(up, down);
  const stop = nyquist;
  const pass = PASS_BAND_SHARE * nyquist;
  const cutoff = (pass + stop) / 2;
  const beta = 0.1102 * (STOP_BAND_DB - 8.7);
  // Kaiser: N − 1 = (A − 7.95) / (2.285 · Δω), Δω in radians per (upsampled) sample = π · (stop − pass).
  const half = Math.ceil((STOP_BAND_DB - 7.95) / (2.285 * Math.PI * (stop - pass)) / 2);
  const length = 2 * half + 1;
  const taps = new Float64Array(length);
  const norm = besselI0(beta);
  let sum = 0;
  for (let j = 0; j < length; j += 1) {
    const m = j - half;
    const sinc = m === 0 ? cutoff : Math.sin(Math.PI * cutoff * m) / (Math.PI * m);
    const r = m / half;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
    taps[j] = sinc * window;
    sum += taps[j]!;
  }
  // Unit gain at DC after upsampling by `up` (which spreads each input sample's energy over `up` outputs).
  for (let j = 0; j < length; j += 1) taps[j] = (taps[j]! / sum) * up;
  const phases = Array.from({ length: up }, (_, p) => {
    const count = Math.ceil((length - p) / up);
    return Float64Array.from({ length: Math.max(0, count) }, (_, k) => taps[p + k * up]!);
  });
  const filter = { up, down, half, phases, taps };
  designs.set(key, filter);
  return filter;
}

/** Output length of `resample_poly`: ceil(n · up / down). */
export function resampledLength(inputLength: number, up: number, down: number): number {
  return Math.ceil((inputLength * up) / down);
}

/** `input` at `toRate` Hz from `fromRate` Hz (mono), or null where the ratio is not one this resampler takes. */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array | null {
  if (fromRate === toRate) return input;
  const ratio = resampleRatio(fromRate, toRate);
  if (!ratio) return null;
  return resamplePoly(input, polyphaseFilter(ratio.up, ratio.down));
}

/** The polyphase loop: for each output, the taps of its phase against the input samples they meet. */
export function resamplePoly(input: Float32Array, filter: PolyphaseFilter): Float32Array {
  const { up, down, half, phases } = filter;
  const n = input.length;
  const output = new Float32Array(resampledLength(n, up, down));
  for (let o = 0; o < output.length; o += 1) {
    // Centre in upsampled samples: h[c − i·up] meets x[i]; phase p = c mod up, newest input i0 = (c − p) / up.
    const c = o * down + half;
    const p = c % up;
    const taps = phases[p]!;
    const newest = (c - p) / up;
    // Taps k meet x[newest − k]; keep 0 ≤ newest − k < n.
    const first = Math.max(0, newest - (n - 1));
    const last = Math.min(taps.length - 1, newest);
    let sum = 0;
    for (let k = first; k <= last; k += 1) sum += taps[k]! * input[newest - k]!;
    output[o] = sum;
  }
  return output;
}
