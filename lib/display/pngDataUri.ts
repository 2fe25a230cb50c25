/**
 * RGB pixels as a PNG `data:` URI, for plotly `image` traces (`source`): a scene of 56×56
 * pixels is a few kB of PNG, where the same image as a `z` array of [r, g, b] triples is
 * ~40 kB of JSON — stored again in every copy of the figure (notebook, figure page, book).
 */
import { PNG } from 'pngjs';
import { checkArgs } from '../core/validate';

/** `data:image/png;base64,…` of row-major RGB `pixels` (height·width·3 values, rounded and clamped to 0..255). */
export function pngDataUri(pixels: ArrayLike<number>, height: number, width: number): string {
  checkArgs('pngDataUri')
    .number('height', height, { integer: true, min: 1 })
    .number('width', width, { integer: true, min: 1 })
    .require(
      pixels !== null && typeof pixels === 'object' && pixels.length === height * width * 3,
      `argument 'pixels' expected ${height}*${width}*3 = ${height * width * 3} values but got ${pixels?.length}`,
    );
  const rgbFormat = { colorType: 2, inputColorType: 2, inputHasAlpha: false } as const; // 8-bit RGB in and out
  const png = new PNG({ width, height, ...rgbFormat });
  const rgb = Buffer.alloc(height * width * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.min(255, Math.max(0, Math.round(pixels[i])));
  png.data = rgb;
  return `data:image/png;base64,${PNG.sync.write(png, rgbFormat).toString('base64')}`;
}
