/**
 * Per-channel standardisation of the CNN's scene features before a caption decoder reads them.
 * The trunk's features are ReLU averages (mean ≈ 0.75, a quarter exactly 0, up to ≈ 11), so every
 * scene's h₀ = f·W_proj shares one large common direction and the differences between scenes —
 * what the caption must say — start small. Standardising each channel c over the training scenes,
 *
 *   f̃[n, p, c] = (f[n, p, c] − μ_c) / σ_c,   μ_c, σ_c over all training scenes n and the 16 positions p,
 *
 * is a fixed affine map (no parameters learned through it) that the decoders of one comparison
 * share; a decoder is saved with the μ, σ it was trained with (./decoderCheckpoint.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import type { SceneFeatures } from './featureExtractor';

/** μ_c and σ_c of each of the C channels. */
export interface FeatureScaling {
  mean: number[];
  std: number[];
}

/** True when `s` holds C finite means and C positive finite deviations (C = `channels` when given). */
export function isFeatureScaling(s: unknown, channels?: number): s is FeatureScaling {
  const f = s as FeatureScaling | undefined;
  return (
    f !== undefined &&
    f !== null &&
    Array.isArray(f.mean) &&
    Array.isArray(f.std) &&
    f.mean.length === f.std.length &&
    (channels === undefined || f.mean.length === channels) &&
    f.mean.every(Number.isFinite) &&
    f.std.every((v) => Number.isFinite(v) && v > 0)
  );
}

/** A floor on σ_c, so that a channel that never fires is not divided by 0. */
const MIN_STD = 1e-3;

/** μ_c, σ_c of the C channels of `features.flat` [N, 16C] over scenes and positions. */
export function featureScalingOf(features: SceneFeatures): FeatureScaling {
  const { N, F } = checkArgs('featureScalingOf').tensor('features.flat', features?.flat, ['N', 'F'], 'float32').dims;
  checkArgs('featureScalingOf').require(F % 16 === 0, `argument 'features.flat' expected 16·C columns but got ${F}`);
  const { mean, variance } = tf.tidy(() => tf.moments(tf.reshape(features.flat, [N * 16, F / 16]), 0));
  const m = Array.from(mean.dataSync());
  const v = Array.from(variance.dataSync());
  tf.dispose([mean, variance]);
  return { mean: m, std: v.map((x) => Math.max(Math.sqrt(x), MIN_STD)) };
}

/**
 * New tensors: both views of `features` standardised channel by channel (each of the flat view's
 * 16 positions and each of a cell's 4 stacked positions holds all C channels in order).
 */
export function scaleSceneFeatures(features: SceneFeatures, scaling: FeatureScaling): SceneFeatures {
  const check = checkArgs('scaleSceneFeatures')
    .tensor('features.cells', features?.cells, ['N', 'D', 2, 2], 'float32')
    .tensor('features.flat', features.flat, ['N', 'F'], 'float32');
  const { D, F } = check.dims;
  const C = D / 4;
  check
    .require(
      F === 16 * C && D % 4 === 0,
      `argument 'features' expected 4C cell and 16C flat channels but got ${D}, ${F}`,
    )
    .require(
      isFeatureScaling(scaling, C),
      `argument 'scaling' expected finite mean and positive std of length ${C} (the features' channels) but got ` +
        `${scaling?.mean?.length} means and ${scaling?.std?.length} stds`,
    );
  return tf.tidy(() => {
    const mean = tf.tensor1d(scaling.mean);
    const std = tf.tensor1d(scaling.std);
    const perCell = (t: tf.Tensor1D) => tf.reshape(tf.tile(t, [4]), [1, 4 * C, 1, 1]);
    const cells = tf.div(tf.sub(features.cells, perCell(mean)), perCell(std)) as tf.Tensor4D;
    const flat = tf.div(tf.sub(features.flat, tf.tile(mean, [16])), tf.tile(std, [16])) as tf.Tensor2D;
    return { cells, flat };
  });
}
