/**
 * A RealNVP normalizing flow over a VAE's latent vectors (issue 12, axis 2): L affine couplings
 * (lib/layers/affineCoupling) with alternating checkerboard masks, y = f_L ∘ … ∘ f_1 (x).
 *
 * Change of variables: with the base density N(0, I) on y,
 *
 *   log p(x) = log N(f(x); 0, I) + Σ_l log|det ∂f_l/∂x_{l−1}|
 *   NLL = (1/N) Σₙ [ ½‖yₙ‖² + (D/2) log 2π − Σ_l logdet_l,ₙ ]             (nats per vector)
 *
 * Each coupling's Jacobian is triangular, so its log-det is the sum of its log-scales. The
 * backward starts from dy = y/N and dlogdet_l = −1/N for every layer and runs the layers'
 * hand backward in reverse order (dx of layer l is dy of layer l − 1).
 *
 * An optional anchor term makes the first output coordinate follow a few labels (the
 * simulated user's): + λ · Σₙ mₙ (y_{n,0} − vₙ)² / Σₙ mₙ, whose gradient adds
 * 2λ mₙ (y_{n,0} − vₙ)/Σm to dy[:, 0].
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { Rng } from '../../core/random';
import {
  AffineCouplingCache,
  AffineCouplingParams,
  affineCouplingBackward,
  affineCouplingForward,
  affineCouplingInverse,
  checkerboardMask,
  initAffineCouplingParams,
} from '../../layers/affineCoupling';
import { disposeCache } from '../../layers/cache';
import { trainLoop } from '../../train/trainLoop';

/** One coupling's parameters per layer; layer l keeps coordinates of parity l % 2. */
export type LatentFlowParams = AffineCouplingParams[];

const mask = (D: number, l: number) => checkerboardMask(D, (l % 2) as 0 | 1);

/** L layers of width D with conditioner width F (each starts as the identity). */
export function initLatentFlowParams(D: number, F: number, layers: number, rng: Rng): LatentFlowParams {
  checkArgs('initLatentFlowParams')
    .number('layers', layers, { integer: true, min: 1 })
    .number('D', D, { integer: true, min: 2 });
  return Array.from({ length: layers }, () => initAffineCouplingParams(D, F, rng));
}

function checkFlow(fn: string, params: LatentFlowParams): void {
  checkArgs(fn).require(
    Array.isArray(params) && params.length > 0,
    "argument 'params' expected a non-empty array of coupling parameters",
  );
}

/** x [N, D] → y [N, D], the summed log-det [N] and the per-layer caches (dispose with disposeCache). */
export function latentFlowForward(
  params: LatentFlowParams,
  x: tf.Tensor,
): { y: tf.Tensor; logDet: tf.Tensor; caches: AffineCouplingCache[] } {
  checkFlow('latentFlowForward', params);
  const { D } = checkArgs('latentFlowForward').tensor('x', x, ['N', 'D'], 'float32').dims;
  const caches: AffineCouplingCache[] = [];
  let h = tf.clone(x);
  let logDet = tf.zeros([x.shape[0]]);
  params.forEach((p, l) => {
    const m = mask(D, l);
    const r = affineCouplingForward(h, m, p);
    caches.push(r.cache);
    const next = tf.add(logDet, r.logDet);
    tf.dispose([h, m, logDet, r.logDet]);
    h = r.y;
    logDet = next;
  });
  return { y: h, logDet, caches };
}

/** The exact inverse y [N, D] → x [N, D] (layers undone in reverse order). */
export function latentFlowInverse(params: LatentFlowParams, y: tf.Tensor): tf.Tensor {
  checkFlow('latentFlowInverse', params);
  const { D } = checkArgs('latentFlowInverse').tensor('y', y, ['N', 'D'], 'float32').dims;
  return tf.tidy(() => {
    let h = y;
    for (let l = params.length - 1; l >= 0; l--) h = affineCouplingInverse(h, mask(D, l), params[l]).x;
    return h;
  });
}

export type LatentFlowGrads = Omit<ReturnType<typeof affineCouplingBackward>, 'dx'>[];

/** dy [N, D] and dlogDet [N] (the same for every layer, as the log-dets are summed) → dx and each layer's grads. */
export function latentFlowBackward(
  dy: tf.Tensor,
  dlogDet: tf.Tensor,
  caches: AffineCouplingCache[],
): { dx: tf.Tensor; grads: LatentFlowGrads } {
  checkArgs('latentFlowBackward').require(
    Array.isArray(caches) && caches.length > 0,
    "argument 'caches' expected the caches of latentFlowForward",
  );
  const grads: LatentFlowGrads = new Array(caches.length);
  let d = tf.clone(dy);
  for (let l = caches.length - 1; l >= 0; l--) {
    const { dx, ...g } = affineCouplingBackward(d, dlogDet, caches[l]);
    grads[l] = g;
    d.dispose();
    d = dx;
  }
  return { dx: d, grads };
}

/** Labels for the anchor term: a 0/1 mask [N] of labelled rows, their targets [N] and the weight λ. */
export interface FlowAnchor {
  mask: tf.Tensor;
  values: tf.Tensor;
  weight: number;
}

/** NLL (+ anchor) of x [N, D] and every parameter's gradient, named `l.W1`, `l.b1`, … */
export function latentFlowLoss(
  params: LatentFlowParams,
  x: tf.Tensor,
  anchor?: FlowAnchor,
): {
  loss: number;
  nll: number;
  anchorLoss: number;
  grads: Record<string, tf.Tensor>;
} {
  const { N, D } = checkArgs('latentFlowLoss').tensor('x', x, ['N', 'D'], 'float32').dims;
  if (anchor) {
    checkArgs('latentFlowLoss')
      .tensor('anchor.mask', anchor.mask, [N], 'float32')
      .tensor('anchor.values', anchor.values, [N], 'float32')
      .number('anchor.weight', anchor.weight, { min: 0 });
  }
  const f = latentFlowForward(params, x);
  const [nllT, anchorT, dy, dlogDet] = tf.tidy(() => {
    const nll = tf.div(tf.sub(tf.mul(0.5, tf.sum(tf.square(f.y))), tf.sum(f.logDet)), N);
    let dy = tf.div(f.y, N);
    let anchorLoss: tf.Tensor = tf.scalar(0);
    if (anchor) {
      const count = tf.maximum(tf.sum(anchor.mask), 1);
      const diff = tf.mul(anchor.mask, tf.sub(tf.squeeze(tf.slice(f.y, [0, 0], [N, 1]), [1]), anchor.values));
      anchorLoss = tf.div(tf.mul(anchor.weight, tf.sum(tf.square(diff))), count);
      const d0 = tf.div(tf.mul(2 * anchor.weight, diff), count);
      dy = tf.add(dy, tf.concat([tf.expandDims(d0, 1), tf.zeros([N, D - 1])], 1));
    }
    return [nll, anchorLoss, dy, tf.fill([N], -1 / N)];
  });
  const nll = nllT.dataSync()[0] + 0.5 * D * Math.log(2 * Math.PI),
    anchorLoss = anchorT.dataSync()[0];
  const b = latentFlowBackward(dy, dlogDet, f.caches);
  f.caches.forEach((c) => disposeCache(c));
  tf.dispose([nllT, anchorT, dy, dlogDet, f.y, f.logDet, b.dx]);
  const grads: Record<string, tf.Tensor> = {};
  b.grads.forEach((g, l) => {
    grads[`${l}.W1`] = g.dW1;
    grads[`${l}.b1`] = g.db1;
    grads[`${l}.Ws`] = g.dWs;
    grads[`${l}.bs`] = g.dbs;
    grads[`${l}.Wt`] = g.dWt;
    grads[`${l}.bt`] = g.dbt;
  });
  return { loss: nll + anchorLoss, nll, anchorLoss, grads };
}

/** Mean NLL (nats per vector) of x [N, D] under the flow, without gradients. */
export function latentFlowNll(params: LatentFlowParams, x: tf.Tensor): number {
  const { D } = checkArgs('latentFlowNll').tensor('x', x, ['N', 'D'], 'float32').dims;
  const f = latentFlowForward(params, x);
  const v = tf.tidy(() => tf.mean(tf.sub(tf.mul(0.5, tf.sum(tf.square(f.y), 1)), f.logDet)).dataSync()[0]);
  f.caches.forEach((c) => disposeCache(c));
  tf.dispose([f.y, f.logDet]);
  return v + 0.5 * D * Math.log(2 * Math.PI);
}

/** Mean NLL (nats per vector) of x [N, D] under the standard normal N(0, I) — the flow's baseline. */
export function standardNormalNll(x: tf.Tensor): number {
  const { D } = checkArgs('standardNormalNll').tensor('x', x, ['N', 'D'], 'float32').dims;
  return tf.tidy(() => tf.mean(tf.mul(0.5, tf.sum(tf.square(x), 1))).dataSync()[0]) + 0.5 * D * Math.log(2 * Math.PI);
}

export interface TrainLatentFlowOptions {
  layers: number;
  hidden: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
}

/**
 * Maximum likelihood (+ optional anchor on labelled rows, all of which join every batch) with Adam,
 * gradients clipped at norm 10. x [N, D] → trained parameters and the loss per step.
 */
export function trainLatentFlow(
  x: tf.Tensor,
  opts: TrainLatentFlowOptions,
  anchor?: { rows: number[]; values: number[]; weight: number },
): {
  params: LatentFlowParams;
  history: number[];
} {
  const { N, D } = checkArgs('trainLatentFlow').tensor('x', x, ['N', 'D'], 'float32').dims;
  checkArgs('trainLatentFlow')
    .number('opts.steps', opts?.steps, { integer: true, min: 1 })
    .number('opts.batchSize', opts.batchSize, { integer: true, min: 1, max: N })
    .number('opts.seed', opts.seed, { integer: true })
    .require(
      !anchor ||
        (anchor.rows.length === anchor.values.length &&
          anchor.rows.every((r) => Number.isInteger(r) && r >= 0 && r < N)),
      `argument 'anchor' expected rows in [0, ${N}) and one value per row`,
    );
  const rng = new Rng(opts.seed);
  const init = initLatentFlowParams(D, opts.hidden, opts.layers, rng);
  const vars = init.map((p) =>
    Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tf.variable(v)])),
  ) as unknown as LatentFlowParams;
  tf.dispose(init.flatMap((p) => Object.values(p)));
  const flat = Object.fromEntries(
    vars.flatMap((p, l) => Object.entries(p).map(([k, v]) => [`${l}.${k}`, v as tf.Variable])),
  );
  const history: number[] = [];
  const labelled = anchor?.rows ?? [];
  let order: number[] = [];
  try {
    trainLoop(
      'trainLatentFlow',
      flat,
      { steps: opts.steps, lr: opts.lr, clipNorm: 10, progress: false, onStep: (_, loss) => history.push(loss) },
      () => {
        if (order.length < opts.batchSize) order = order.concat(rng.permutation(N));
        const rows = [...labelled, ...order.splice(0, opts.batchSize)];
        const idx = tf.tensor1d(rows, 'int32');
        const xb = tf.gather(x, idx);
        const a = anchor
          ? {
              mask: tf.tensor1d(rows.map((_, i) => (i < labelled.length ? 1 : 0))),
              values: tf.tensor1d(rows.map((_, i) => (i < labelled.length ? anchor.values[i] : 0))),
              weight: anchor.weight,
            }
          : undefined;
        const r = latentFlowLoss(vars, xb, a);
        tf.dispose([idx, xb, ...(a ? [a.mask, a.values] : [])]);
        return { loss: r.loss, grads: r.grads };
      },
    );
    const params = vars.map((p) =>
      Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tf.clone(v)])),
    ) as unknown as LatentFlowParams;
    return { params, history };
  } finally {
    tf.dispose(Object.values(flat));
  }
}
