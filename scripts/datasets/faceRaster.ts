/**
 * A small hand-written face rasteriser (no native dependencies) for the visual stream of the
 * multimodal-emotion corpus: an S×S RGB image (uint8, row-major [S, S, 3]) of a cartoon face.
 *
 * Shapes are drawn by coverage: a pixel centre p at signed distance d(p) from a shape's edge
 * (negative inside) takes the shape's colour with weight clamp(0.5 − d·S, 0, 1), i.e. about one
 * pixel of anti-aliasing. Coordinates are in the unit square (x right, y down).
 *
 *   identity (the speaker): face width and height, skin and hair colour, eye spacing
 *   expression (the emotion, ./multimodalPlan.ts): brows (height, inner tilt), eye opening,
 *   mouth corners (smile), one-sided upper-lip raise (sneer), jaw drop
 *   speech: the mouth opens with the loudness of the audio frame (lip sync)
 */
import { Rng } from '../../lib';
import { Expression } from './multimodalPlan';

export const FACE_SIZE = 32;

/** What makes a speaker's face theirs. */
export interface FaceLook {
  width: number;
  height: number;
  skin: [number, number, number];
  hair: [number, number, number];
  eyeSpacing: number;
}

const SKINS: [number, number, number][] = [
  [241, 194, 167],
  [224, 172, 105],
  [198, 134, 66],
  [141, 85, 36],
  [255, 219, 172],
  [170, 120, 90],
];
const HAIRS: [number, number, number][] = [
  [40, 30, 20],
  [120, 70, 30],
  [220, 190, 110],
  [90, 90, 90],
  [160, 40, 20],
  [20, 20, 60],
];

/** A seeded random look. */
export function randomLook(rng: Rng): FaceLook {
  return {
    width: 0.3 + 0.1 * rng.uniform(),
    height: 0.38 + 0.08 * rng.uniform(),
    skin: SKINS[rng.int(SKINS.length)],
    hair: HAIRS[rng.int(HAIRS.length)],
    eyeSpacing: 0.13 + 0.05 * rng.uniform(),
  };
}

type Sdf = (x: number, y: number) => number;

const ellipse =
  (cx: number, cy: number, rx: number, ry: number): Sdf =>
  (x, y) => {
    const k = Math.hypot((x - cx) / rx, (y - cy) / ry);
    return (k - 1) * Math.min(rx, ry);
  };

/** A segment of half-thickness r from (ax, ay) to (bx, by). */
const segment =
  (ax: number, ay: number, bx: number, by: number, r: number): Sdf =>
  (x, y) => {
    const vx = bx - ax,
      vy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)));
    return Math.hypot(x - ax - t * vx, y - ay - t * vy) - r;
  };

/** Paints `sdf` with `colour` over the pixels of the box [x0, x1] × [y0, y1]. */
function paint(img: Uint8Array, sdf: Sdf, colour: readonly number[], box: [number, number, number, number]): void {
  const S = FACE_SIZE;
  const [x0, y0, x1, y1] = box.map((v) => Math.max(0, Math.min(S - 1, Math.floor(v * S))));
  for (let j = y0; j <= Math.min(S - 1, y1 + 1); j++) {
    for (let i = x0; i <= Math.min(S - 1, x1 + 1); i++) {
      const w = Math.max(0, Math.min(1, 0.5 - sdf((i + 0.5) / S, (j + 0.5) / S) * S));
      if (w === 0) continue;
      const p = (j * S + i) * 3;
      for (let c = 0; c < 3; c++) img[p + c] = Math.round(img[p + c] * (1 - w) + colour[c] * w);
    }
  }
}

const BACKGROUND = [70, 110, 140];
const DARK = [35, 20, 25];
const WHITE = [250, 250, 250];
const LIP = [150, 50, 60];

/**
 * One frame: `look` of the speaker, `e` the expression, `open` ∈ [0, 1] the speech mouth
 * opening of this frame → uint8 [S, S, 3].
 */
export function renderFace(look: FaceLook, e: Expression, open: number): Uint8Array {
  const S = FACE_SIZE;
  const img = new Uint8Array(S * S * 3);
  for (let i = 0; i < S * S; i++) img.set(BACKGROUND, i * 3);
  const cx = 0.5,
    cy = 0.53,
    { width: fw, height: fh } = look;
  paint(img, ellipse(cx, cy - fh * 0.35, fw * 1.05, fh * 0.7), look.hair, [
    cx - fw * 1.1,
    cy - fh * 1.1,
    cx + fw * 1.1,
    cy + fh * 0.4,
  ]);
  paint(img, ellipse(cx, cy, fw, fh), look.skin, [cx - fw, cy - fh, cx + fw, cy + fh]);
  // eyes: white ellipse whose height follows eyeOpen, dark pupil
  const eyeY = cy - 0.08,
    ex = look.eyeSpacing,
    eyeH = 0.035 * Math.min(1.8, e.eyeOpen);
  for (const side of [-1, 1]) {
    const x = cx + side * ex * 0.75;
    paint(img, ellipse(x, eyeY, 0.055, eyeH), WHITE, [x - 0.06, eyeY - 0.07, x + 0.06, eyeY + 0.07]);
    paint(img, ellipse(x, eyeY, 0.022, Math.min(0.022, eyeH)), DARK, [x - 0.03, eyeY - 0.03, x + 0.03, eyeY + 0.03]);
    // brow: outer end at browY, inner end raised by browTilt
    const browY = eyeY - 0.08 - 0.04 * e.browRaise;
    const inner = browY - 0.035 * e.browTilt;
    const xo = x + side * 0.06,
      xi = x - side * 0.05;
    paint(img, segment(xo, browY, xi, inner, 0.014), DARK, [
      Math.min(xo, xi) - 0.03,
      Math.min(browY, inner) - 0.03,
      Math.max(xo, xi) + 0.03,
      Math.max(browY, inner) + 0.03,
    ]);
  }
  // mouth: corners at ±mw lifted by smile, the left upper lip raised by sneer; opening = speech + jaw
  const my = cy + fh * 0.5,
    mw = 0.1;
  const cornerY = my - 0.035 * e.smile;
  const gap = 0.012 + 0.06 * Math.min(1, Math.max(0, open)) + 0.03 * e.jaw;
  paint(img, ellipse(cx, my, mw * 0.8, gap / 2 + 0.004), DARK, [cx - mw, my - 0.06, cx + mw, my + 0.06]);
  const lipTop = my - gap / 2,
    lipBottom = my + gap / 2;
  const sneerY = lipTop - 0.03 * e.sneer;
  paint(img, segment(cx - mw, cornerY, cx - mw * 0.3, sneerY, 0.01), LIP, [cx - mw - 0.02, my - 0.1, cx, my + 0.05]);
  paint(img, segment(cx - mw * 0.3, sneerY, cx + mw * 0.3, lipTop, 0.01), LIP, [
    cx - mw * 0.4,
    my - 0.1,
    cx + mw * 0.4,
    my + 0.05,
  ]);
  paint(img, segment(cx + mw * 0.3, lipTop, cx + mw, cornerY, 0.01), LIP, [cx, my - 0.08, cx + mw + 0.02, my + 0.05]);
  paint(img, segment(cx - mw, cornerY, cx, lipBottom + 0.01, 0.01), LIP, [cx - mw - 0.02, my - 0.08, cx, my + 0.1]);
  paint(img, segment(cx, lipBottom + 0.01, cx + mw, cornerY, 0.01), LIP, [cx, my - 0.08, cx + mw + 0.02, my + 0.1]);
  return img;
}
