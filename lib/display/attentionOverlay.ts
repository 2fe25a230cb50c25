/**
 * Pictures of where a captioning decoder attends: an image, dimmed where the attention
 * weight is low and lit where it is high, one frame per generated word (notebook 04).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import type { GridImage } from './charts';

/** Image `n` of a batch `images` [N, H, W, 3] with values in [0, 1], as RGB bytes 0…255 (for {@link imageGrid}). */
export function imagePixels(images: tf.Tensor, n: number): GridImage {
  const { N, H, W } = checkArgs('imagePixels').tensor('images', images, ['N', 'H', 'W', 3], 'float32').dims;
  checkArgs('imagePixels').require(
    Number.isInteger(n) && n >= 0 && n < N,
    `argument 'n' expected an integer in [0, ${N}) but got ${n}`,
  );
  const pixels = tf.tidy(() => tf.mul(tf.slice(images, [n, 0, 0, 0], [1, -1, -1, -1]), 255).dataSync() as Float32Array);
  return { pixels, height: H, width: W };
}

/**
 * The image lit by an attention map: the P×P map is upsampled to the image (each position a
 * block of (H/P)×(W/P) pixels) and normalised by its largest weight to w ∈ [0, 1]; each pixel
 * becomes min(255, pixel·s + 70·s²) with s = 0.15 + 0.85·w — dimmed where the weight is low,
 * and with a gray glow where it is high so that attention on an empty (black) cell shows too.
 */
export function attentionOverlay(image: GridImage, map: readonly (readonly number[])[]): Float32Array {
  const P = map.length;
  const { height: H, width: W, pixels } = image;
  checkArgs('attentionOverlay')
    .require(
      P > 0 && map.every((r) => r.length === P),
      `argument 'map' expected a square P×P map but got ${P}×${map[0]?.length}`,
    )
    .require(H % P === 0 && W % P === 0, `image ${H}×${W} is not divisible into ${P}×${P} blocks`)
    .require(
      pixels.length === H * W * 3,
      `argument 'image.pixels' expected ${H * W * 3} values but got ${pixels.length}`,
    );
  const out = new Float32Array(pixels.length);
  const max = Math.max(...map.flat());
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = 0.15 + (0.85 * map[Math.floor((y * P) / H)][Math.floor((x * P) / W)]) / max;
      for (let k = 0; k < 3; k++)
        out[(y * W + x) * 3 + k] = Math.min(255, pixels[(y * W + x) * 3 + k] * s + 70 * s * s);
    }
  }
  return out;
}

/**
 * One lit frame per generated word: `maps[t]` is the attention map used to write `tokens[t]`
 * (the caption under the frame).
 */
export function attentionFrames(
  image: GridImage,
  maps: readonly (readonly (readonly number[])[])[],
  tokens: readonly string[],
): GridImage[] {
  checkArgs('attentionFrames').require(
    maps.length >= tokens.length,
    `argument 'maps' has ${maps.length} maps for ${tokens.length} tokens`,
  );
  return tokens.map((w, t) => ({
    pixels: attentionOverlay(image, maps[t]),
    height: image.height,
    width: image.width,
    caption: w,
  }));
}
