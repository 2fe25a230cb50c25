/**
 * SpecAugment-style masking (Park et al., 2019) of a feature matrix at training time, without
 * time warping: `timeMasks` blocks of t ~ U{0 … timeWidth} consecutive frames and `freqMasks`
 * blocks of f ~ U{0 … freqWidth} consecutive channels are set to `fill` (0: the mean of
 * per-utterance normalised features). A time block never covers more than `maxTimeFraction` of
 * the utterance, so short utterances keep most of their frames.
 *
 *   x'[t, d] = fill   if t ∈ [t₀, t₀ + t) for some time mask, or d ∈ [d₀, d₀ + f) for some
 *                     frequency mask;   x[t, d] otherwise.
 *
 * Every draw comes from `rng`, so a training step that seeds it from (seed, step) masks the same
 * way whenever it runs.
 */
import { Rng } from '../core/random';
import { checkArgs } from '../core/validate';

export interface SpecAugmentOptions {
  /** Time masks per utterance (default 2). */
  timeMasks?: number;
  /** Largest time mask, in frames (default 20). */
  timeWidth?: number;
  /** Largest share of the utterance one time mask may cover (default 0.2). */
  maxTimeFraction?: number;
  /** Frequency masks per utterance (default 2). */
  freqMasks?: number;
  /** Largest frequency mask, in channels (default 8). */
  freqWidth?: number;
  /** The value masked cells get (default 0). */
  fill?: number;
}

/**
 * A masked copy of `features` (row-major [frames, dim]); the input is left unchanged.
 */
export function specAugment(
  features: Float32Array,
  frames: number,
  dim: number,
  rng: Rng,
  opts: SpecAugmentOptions = {},
): Float32Array {
  const o = { timeMasks: 2, timeWidth: 20, maxTimeFraction: 0.2, freqMasks: 2, freqWidth: 8, fill: 0, ...opts };
  checkArgs('specAugment')
    .number('frames', frames, { integer: true, min: 1 })
    .number('dim', dim, { integer: true, min: 1 })
    .require(
      features instanceof Float32Array && features.length === frames * dim,
      `argument 'features' expected a Float32Array of frames·dim = ${frames * dim} values ` +
        `but got ${features instanceof Float32Array ? features.length : typeof features}`,
    )
    .require(rng instanceof Rng, "argument 'rng' expected an Rng")
    .number('timeMasks', o.timeMasks, { integer: true, min: 0 })
    .number('timeWidth', o.timeWidth, { integer: true, min: 0 })
    .number('maxTimeFraction', o.maxTimeFraction, { min: 0, max: 1 })
    .number('freqMasks', o.freqMasks, { integer: true, min: 0 })
    .number('freqWidth', o.freqWidth, { integer: true, min: 0, max: dim })
    .number('fill', o.fill);
  const out = features.slice();
  const widest = Math.min(o.timeWidth, Math.floor(o.maxTimeFraction * frames));
  for (let m = 0; m < o.timeMasks; m++) {
    const width = Math.floor(rng.uniform() * (widest + 1));
    const start = Math.floor(rng.uniform() * (frames - width + 1));
    out.fill(o.fill, start * dim, (start + width) * dim);
  }
  for (let m = 0; m < o.freqMasks; m++) {
    const width = Math.floor(rng.uniform() * (o.freqWidth + 1));
    const start = Math.floor(rng.uniform() * (dim - width + 1));
    for (let t = 0; t < frames; t++) out.fill(o.fill, t * dim + start, t * dim + start + width);
  }
  return out;
}
