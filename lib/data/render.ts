/**
 * Deterministic rendering of the shipped Fashion-MNIST derived datasets. The datasets
 * store only 28×28 grayscale item crops (uint8) and small composition records; images
 * are drawn here, the same way every time:
 *
 *   pixel_c = a · colour_c + (1 − a) · texture,   a = crop / 255 ∈ [0, 1],  c ∈ {R, G, B}
 *
 * i.e. the item's grayscale intensity multiplies its tint colour, over a gray background
 * texture (`plain` = black, so a plain item is exactly crop × colour). Values are in [0, 1].
 */
import { checkArgs } from '../core/validate';

/** Side of one Fashion-MNIST item crop. */
export const CELL = 28;
const CELL_PIXELS = CELL * CELL;

/** One-word names of the 10 Fashion-MNIST classes, in label order (as used in captions). */
export const FASHION_ITEMS: readonly string[] = [
  'top',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'boot',
];

/** Fashion-MNIST's own class names, in label order. */
export const FASHION_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Tint colours (RGB in [0, 1]). Scenes use the first 6, the tints set all 8. */
export const TINT_COLOURS: readonly { name: string; rgb: readonly [number, number, number] }[] = [
  { name: 'red', rgb: [1, 0.15, 0.15] },
  { name: 'green', rgb: [0.15, 0.85, 0.15] },
  { name: 'blue', rgb: [0.2, 0.35, 1] },
  { name: 'yellow', rgb: [1, 0.9, 0.1] },
  { name: 'purple', rgb: [0.65, 0.2, 0.95] },
  { name: 'cyan', rgb: [0.1, 0.9, 0.9] },
  { name: 'orange', rgb: [1, 0.5, 0.05] },
  { name: 'white', rgb: [1, 1, 1] },
];

/** Background textures of the tints set, in label order. */
export const TEXTURES: readonly string[] = ['plain', 'stripes', 'dots'];

const TEXTURE_LEVEL = 0.4;

/**
 * The 28×28 gray background of texture `index` (values in [0, 1], row-major):
 * plain = 0; stripes = 0.4 on diagonal bands 3 pixels wide every 6 (x + y mod 6 < 3);
 * dots = 0.4 on discs of radius 1.5 centred every 6 pixels (at 3 + 6i, 3 + 6j).
 */
export function textureImage(index: number): Float32Array {
  checkArgs('textureImage').number('index', index, { integer: true, min: 0, max: TEXTURES.length - 1 });
  const out = new Float32Array(CELL_PIXELS);
  for (let y = 0; y < CELL; y++) {
    for (let x = 0; x < CELL; x++) {
      let on = false;
      if (index === 1) on = (x + y) % 6 < 3;
      if (index === 2) {
        const dx = (x % 6) - 3;
        const dy = (y % 6) - 3;
        on = dx * dx + dy * dy <= 2.25;
      }
      out[y * CELL + x] = on ? TEXTURE_LEVEL : 0;
    }
  }
  return out;
}

const textureCache: Float32Array[] = [];
function texture(index: number): Float32Array {
  return (textureCache[index] ??= textureImage(index));
}

/**
 * Draws crop `crop` of `crops` (K·784 uint8 values) tinted by colour `colour` over
 * texture `texture` into the RGB canvas `out` (row-major, width `outWidth`, 3 channels)
 * with its top-left corner at (x0, y0).
 */
function drawItem(
  crops: Uint8Array,
  crop: number,
  colour: number,
  textureIndex: number,
  out: Float32Array,
  outWidth: number,
  x0: number,
  y0: number,
): void {
  const rgb = TINT_COLOURS[colour].rgb;
  const bg = texture(textureIndex);
  const base = crop * CELL_PIXELS;
  for (let y = 0; y < CELL; y++) {
    for (let x = 0; x < CELL; x++) {
      const a = crops[base + y * CELL + x] / 255;
      const t = (1 - a) * bg[y * CELL + x];
      const o = ((y0 + y) * outWidth + (x0 + x)) * 3;
      out[o] = a * rgb[0] + t;
      out[o + 1] = a * rgb[1] + t;
      out[o + 2] = a * rgb[2] + t;
    }
  }
}

function checkCrop(fn: string, crops: Uint8Array, crop: number, colour: number): void {
  checkArgs(fn)
    .require(
      crops instanceof Uint8Array && crops.length % CELL_PIXELS === 0,
      `crops must be a Uint8Array of K·${CELL_PIXELS} values`,
    )
    .number('crop', crop, { integer: true, min: 0, max: crops.length / CELL_PIXELS - 1 })
    .number('colour', colour, { integer: true, min: 0, max: TINT_COLOURS.length - 1 });
}

/** One tinted item: crop `crop` of `crops` × colour `colour` over texture `texture` → 28·28·3 floats (HWC). */
export function renderTintedItem(crops: Uint8Array, crop: number, colour: number, textureIndex = 0): Float32Array {
  checkCrop('renderTintedItem', crops, crop, colour);
  checkArgs('renderTintedItem').number('textureIndex', textureIndex, {
    integer: true,
    min: 0,
    max: TEXTURES.length - 1,
  });
  const out = new Float32Array(CELL_PIXELS * 3);
  drawItem(crops, crop, colour, textureIndex, out, CELL, 0, 0);
  return out;
}

/**
 * One occupied cell of a 2×2 scene: which crop, which tint, which cell
 * (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right).
 */
export interface SceneCell {
  crop: number;
  colour: number;
  cell: number;
}

/** Side of a 2×2 scene canvas. */
export const SCENE = 2 * CELL;

/** A 56×56 RGB scene (black background) with each listed item tinted in its cell → 56·56·3 floats (HWC). */
export function renderScene(crops: Uint8Array, cells: readonly SceneCell[]): Float32Array {
  const out = new Float32Array(SCENE * SCENE * 3);
  const used = new Set<number>();
  for (const c of cells) {
    checkCrop('renderScene', crops, c.crop, c.colour);
    checkArgs('renderScene')
      .number('cell', c.cell, { integer: true, min: 0, max: 3 })
      .require(!used.has(c.cell), `cell ${c.cell} is used twice`);
    used.add(c.cell);
    drawItem(crops, c.crop, c.colour, 0, out, SCENE, (c.cell % 2) * CELL, Math.floor(c.cell / 2) * CELL);
  }
  return out;
}
