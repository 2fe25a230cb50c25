/**
 * Grading checks of assignment A1 (notebooks 01–02): the RNN and LSTM steps and sequences,
 * the LSTM gate nonlinearity, and the temporal layers. Forwards against the float64
 * references of test/ref/recurrent.ts; backwards against autodiff and float64 numeric
 * gradients (see pairs.ts). Shapes are small so a check takes well under a second.
 */
import * as tf from '@tensorflow/tfjs';
import { F64, f64, numericVjp, randF64, toTensor } from '../reference/numerics';
import {
  lstmRef,
  lstmStepRef,
  rnnRef,
  rnnStepRef,
  temporalAffineRef,
  temporalSoftmaxLossRef,
} from '../reference/recurrent';
import type { Rng } from '../../lib';
import { Check, TOL } from './check';
import { checkBackward, checkForward } from './pairs';

const STEP_SHAPES = [
  { N: 3, D: 5, H: 4 },
  { N: 1, D: 2, H: 3 },
];
const SEQ_SHAPES = [
  { N: 2, T: 5, D: 3, H: 4 },
  { N: 3, T: 1, D: 2, H: 2 },
];

/** a [N, 4H], c [N, H] → the gate outputs in float64 (the LSTM step with x = a, Wx = I and no recurrence). */
function gatesRef(a: F64, c: F64): { h: F64; c: F64 } {
  const [N, G] = a.shape;
  const eye = f64([G, G]);
  for (let i = 0; i < G; i++) eye.data[i * G + i] = 1;
  const H = G / 4;
  return lstmStepRef(a, f64([N, H]), c, eye, f64([H, G]), f64([G]));
}

/** [h | c] stacked as [2, N, H]: one output for a step that returns two. */
const stackHC = (r: { h: F64; c: F64 }): F64 => f64([2, ...r.h.shape], [...r.h.data, ...r.c.data]);

function stepWeights(rng: Rng, D: number, G: number, H: number): { Wx: F64; Wh: F64; b: F64 } {
  return { Wx: randF64([D, G], rng, 0.5), Wh: randF64([H, G], rng, 0.5), b: randF64([G], rng) };
}

const rnnStepForward: Check = async (student, reference, log) => {
  for (const { N, D, H } of STEP_SHAPES) {
    const rng = new reference.Rng(100 * N + 10 * D + H);
    const x = randF64([N, D], rng),
      h = randF64([N, H], rng),
      { Wx, Wh, b } = stepWeights(rng, D, H, H);
    const inputs = [x, h, Wx, Wh, b].map((a) => toTensor(a));
    await checkForward(
      log,
      `rnnStepForward N=${N} D=${D} H=${H}`,
      () => student.rnnStepForward(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4]),
      [['nextH', (r) => r?.nextH, rnnStepRef(x, h, Wx, Wh, b)]],
    );
    tf.dispose(inputs);
  }
};

const rnnStepBackward: Check = async (student, reference, log) => {
  for (const { N, D, H } of STEP_SHAPES) {
    const rng = new reference.Rng(200 + 100 * N + 10 * D + H);
    const x = randF64([N, D], rng),
      h = randF64([N, H], rng),
      { Wx, Wh, b } = stepWeights(rng, D, H, H);
    await checkBackward(log, {
      label: `rnnStepBackward N=${N} D=${D} H=${H}`,
      inputs: [
        { value: x, grad: 'dx' },
        { value: h, grad: 'dprevH' },
        { value: Wx, grad: 'dWx' },
        { value: Wh, grad: 'dWh' },
        { value: b, grad: 'db' },
      ],
      dout: randF64([N, H], rng),
      referenceForward: (...a) => {
        const r = reference.rnnStepForward(a[0], a[1], a[2], a[3], a[4]);
        return { out: r.nextH, cache: r.cache };
      },
      studentBackward: (d, cache) => student.rnnStepBackward(d, cache),
      f64Forward: () => rnnStepRef(x, h, Wx, Wh, b),
    });
  }
};

const rnnForward: Check = async (student, reference, log) => {
  for (const { N, T, D, H } of SEQ_SHAPES) {
    const rng = new reference.Rng(300 + 100 * N + 10 * T + D);
    const x = randF64([N, T, D], rng),
      h0 = randF64([N, H], rng),
      { Wx, Wh, b } = stepWeights(rng, D, H, H);
    const inputs = [x, h0, Wx, Wh, b].map((a) => toTensor(a));
    await checkForward(
      log,
      `rnnForward N=${N} T=${T} D=${D} H=${H}`,
      () => student.rnnForward(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4]),
      [['h', (r) => r?.h, rnnRef(x, h0, Wx, Wh, b)]],
    );
    tf.dispose(inputs);
  }
};

const rnnBackward: Check = async (student, reference, log) => {
  for (const { N, T, D, H } of SEQ_SHAPES) {
    const rng = new reference.Rng(400 + 100 * N + 10 * T + D);
    const x = randF64([N, T, D], rng),
      h0 = randF64([N, H], rng),
      { Wx, Wh, b } = stepWeights(rng, D, H, H);
    await checkBackward(log, {
      label: `rnnBackward N=${N} T=${T} D=${D} H=${H}`,
      inputs: [
        { value: x, grad: 'dx' },
        { value: h0, grad: 'dh0' },
        { value: Wx, grad: 'dWx' },
        { value: Wh, grad: 'dWh' },
        { value: b, grad: 'db' },
      ],
      dout: randF64([N, T, H], rng),
      referenceForward: (...a) => {
        const r = reference.rnnForward(a[0], a[1], a[2], a[3], a[4]);
        return { out: r.h, cache: r.cache };
      },
      studentBackward: (d, cache) => student.rnnBackward(d, cache),
      f64Forward: () => rnnRef(x, h0, Wx, Wh, b),
    });
  }
};

const lstmGatesForward: Check = async (student, reference, log) => {
  for (const { N, H } of STEP_SHAPES) {
    const rng = new reference.Rng(500 + 10 * N + H);
    const a = randF64([N, 4 * H], rng),
      c = randF64([N, H], rng);
    const [aT, cT] = [toTensor(a) as tf.Tensor2D, toTensor(c) as tf.Tensor2D];
    const ref = gatesRef(a, c);
    await checkForward(log, `lstmGatesForward N=${N} H=${H}`, () => student.lstmGatesForward(aT, cT), [
      ['nextH', (r) => r?.nextH, ref.h],
      ['nextC', (r) => r?.nextC, ref.c],
    ]);
    tf.dispose([aT, cT]);
  }
};

const lstmGatesBackward: Check = async (student, reference, log) => {
  for (const { N, H } of STEP_SHAPES) {
    const rng = new reference.Rng(600 + 10 * N + H);
    const a = randF64([N, 4 * H], rng),
      c = randF64([N, H], rng);
    await checkBackward(log, {
      label: `lstmGatesBackward N=${N} H=${H}`,
      inputs: [
        { value: a, grad: 'da' },
        { value: c, grad: 'dprevC' },
      ],
      dout: randF64([2, N, H], rng),
      referenceForward: (...x) => {
        const r = reference.lstmGatesForward(x[0] as tf.Tensor2D, x[1] as tf.Tensor2D);
        return { out: tf.stack([r.nextH, r.nextC]), cache: r.cache };
      },
      studentBackward: (d, cache) => {
        const [dh, dc] = tf.unstack(d) as tf.Tensor2D[];
        try {
          return student.lstmGatesBackward(dh, dc, cache);
        } finally {
          tf.dispose([dh, dc]);
        }
      },
      f64Forward: () => stackHC(gatesRef(a, c)),
    });
  }
};

const lstmStepForward: Check = async (student, reference, log) => {
  for (const { N, D, H } of STEP_SHAPES) {
    const rng = new reference.Rng(700 + 100 * N + 10 * D + H);
    const x = randF64([N, D], rng),
      h = randF64([N, H], rng),
      c = randF64([N, H], rng),
      { Wx, Wh, b } = stepWeights(rng, D, 4 * H, H);
    const t = [x, h, c, Wx, Wh, b].map((a) => toTensor(a));
    const ref = lstmStepRef(x, h, c, Wx, Wh, b);
    await checkForward(
      log,
      `lstmStepForward N=${N} D=${D} H=${H}`,
      () => student.lstmStepForward(t[0], t[1], t[2], t[3], t[4], t[5]),
      [
        ['nextH', (r) => r?.nextH, ref.h],
        ['nextC', (r) => r?.nextC, ref.c],
      ],
    );
    tf.dispose(t);
  }
};

const lstmStepBackward: Check = async (student, reference, log) => {
  for (const { N, D, H } of STEP_SHAPES) {
    const rng = new reference.Rng(800 + 100 * N + 10 * D + H);
    const x = randF64([N, D], rng),
      h = randF64([N, H], rng),
      c = randF64([N, H], rng),
      { Wx, Wh, b } = stepWeights(rng, D, 4 * H, H);
    await checkBackward(log, {
      label: `lstmStepBackward N=${N} D=${D} H=${H}`,
      inputs: [
        { value: x, grad: 'dx' },
        { value: h, grad: 'dprevH' },
        { value: c, grad: 'dprevC' },
        { value: Wx, grad: 'dWx' },
        { value: Wh, grad: 'dWh' },
        { value: b, grad: 'db' },
      ],
      dout: randF64([2, N, H], rng),
      referenceForward: (...a) => {
        const r = reference.lstmStepForward(a[0], a[1], a[2], a[3], a[4], a[5]);
        return { out: tf.stack([r.nextH, r.nextC]), cache: r.cache };
      },
      studentBackward: async (d, cache) => {
        const [dh, dc] = tf.unstack(d);
        try {
          return await student.lstmStepBackward(dh, dc, cache);
        } finally {
          tf.dispose([dh, dc]);
        }
      },
      f64Forward: () => stackHC(lstmStepRef(x, h, c, Wx, Wh, b)),
    });
  }
};

const lstmForward: Check = async (student, reference, log) => {
  for (const { N, T, D, H } of SEQ_SHAPES) {
    const rng = new reference.Rng(900 + 100 * N + 10 * T + D);
    const x = randF64([N, T, D], rng),
      h0 = randF64([N, H], rng),
      { Wx, Wh, b } = stepWeights(rng, D, 4 * H, H);
    const t = [x, h0, Wx, Wh, b].map((a) => toTensor(a));
    await checkForward(
      log,
      `lstmForward N=${N} T=${T} D=${D} H=${H}`,
      () => student.lstmForward(t[0], t[1], t[2], t[3], t[4]),
      [['h', (r) => r?.h, lstmRef(x, h0, Wx, Wh, b)]],
    );
    tf.dispose(t);
  }
};

const lstmBackward: Check = async (student, reference, log) => {
  for (const { N, T, D, H } of SEQ_SHAPES) {
    const rng = new reference.Rng(1000 + 100 * N + 10 * T + D);
    const x = randF64([N, T, D], rng),
      h0 = randF64([N, H], rng),
      { Wx, Wh, b } = stepWeights(rng, D, 4 * H, H);
    await checkBackward(log, {
      label: `lstmBackward N=${N} T=${T} D=${D} H=${H}`,
      inputs: [
        { value: x, grad: 'dx' },
        { value: h0, grad: 'dh0' },
        { value: Wx, grad: 'dWx' },
        { value: Wh, grad: 'dWh' },
        { value: b, grad: 'db' },
      ],
      dout: randF64([N, T, H], rng),
      referenceForward: (...a) => {
        const r = reference.lstmForward(a[0], a[1], a[2], a[3], a[4]);
        return { out: r.h, cache: r.cache };
      },
      studentBackward: (d, cache) => student.lstmBackward(d, cache),
      f64Forward: () => lstmRef(x, h0, Wx, Wh, b),
    });
  }
};

const TEMPORAL_SHAPES = [
  { N: 2, T: 3, D: 4, M: 5 },
  { N: 1, T: 1, D: 2, M: 3 },
];

const temporalAffineForward: Check = async (student, reference, log) => {
  for (const { N, T, D, M } of TEMPORAL_SHAPES) {
    const rng = new reference.Rng(1100 + 10 * N + T);
    const x = randF64([N, T, D], rng),
      w = randF64([D, M], rng),
      b = randF64([M], rng);
    const t = [x, w, b].map((a) => toTensor(a));
    await checkForward(
      log,
      `temporalAffineForward N=${N} T=${T} D=${D} M=${M}`,
      () => student.temporalAffineForward(t[0], t[1], t[2]),
      [['out', (r) => r?.out, temporalAffineRef(x, w, b)]],
    );
    tf.dispose(t);
  }
};

const temporalAffineBackward: Check = async (student, reference, log) => {
  for (const { N, T, D, M } of TEMPORAL_SHAPES) {
    const rng = new reference.Rng(1200 + 10 * N + T);
    const x = randF64([N, T, D], rng),
      w = randF64([D, M], rng),
      b = randF64([M], rng);
    await checkBackward(log, {
      label: `temporalAffineBackward N=${N} T=${T} D=${D} M=${M}`,
      inputs: [
        { value: x, grad: 'dx' },
        { value: w, grad: 'dw' },
        { value: b, grad: 'db' },
      ],
      dout: randF64([N, T, M], rng),
      referenceForward: (...a) => reference.temporalAffineForward(a[0], a[1], a[2]),
      studentBackward: (d, cache) => student.temporalAffineBackward(d, cache),
      f64Forward: () => temporalAffineRef(x, w, b),
    });
  }
};

/**
 * Loss against the float64 reference; dx against the float64 numeric gradient of that loss;
 * masks with zeros, a fully masked row.
 */
const temporalSoftmaxLoss: Check = async (student, reference, log) => {
  const N = 3,
    T = 4,
    V = 5;
  const rng = new reference.Rng(1300);
  const x = randF64([N, T, V], rng, 2);
  const y = Array.from({ length: N }, () => Array.from({ length: T }, () => Math.floor(rng.uniform() * V)));
  const mask = [
    [1, 1, 1, 0],
    [1, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  const [xT, yT, mT] = [toTensor(x), tf.tensor2d(y, [N, T], 'int32'), tf.tensor2d(mask, [N, T], 'float32')];
  try {
    const r = await student.temporalSoftmaxLoss(xT, yT, mT);
    try {
      log.compareScalar('loss vs float64 reference', r?.loss, temporalSoftmaxLossRef(x, y, mask), TOL.forward);
      log.compare(
        'dx vs float64 numeric',
        r?.dx,
        numericVjp(() => temporalSoftmaxLossRef(x, y, mask), x, null),
        TOL.numeric,
      );
    } finally {
      tf.dispose(r?.dx);
    }
  } finally {
    tf.dispose([xT, yT, mT]);
  }
};

export const recurrentChecks: Record<string, Check> = {
  rnnStepForward,
  rnnStepBackward,
  rnnForward,
  rnnBackward,
  lstmGatesForward,
  lstmGatesBackward,
  lstmStepForward,
  lstmStepBackward,
  lstmForward,
  lstmBackward,
  temporalAffineForward,
  temporalAffineBackward,
  temporalSoftmaxLoss,
};
