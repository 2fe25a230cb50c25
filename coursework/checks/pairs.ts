/**
 * The two shapes of check every forward/backward pair gets:
 *
 * - forward: the student's outputs against a plain float64 reference (shape, then relative
 *   error ≤ TOL.forward); the call itself is leak-checked (studentLibrary.ts);
 * - backward: the student's backward, fed the cache of the *reference* forward, against tfjs
 *   autodiff of that reference forward (≤ TOL.autodiff) and against a float64 centred
 *   numeric gradient of the float64 reference (≤ TOL.numeric); each gradient's shape is the
 *   shape of its input; the call is leak-checked like the forward.
 */
import * as tf from '@tensorflow/tfjs';
import { autodiffVjp, collectTensors, F64, numericVjp, toTensor } from '../reference/numerics';
import { CheckLog, TOL } from './check';

/** Runs a student's forward (leak-checked per call) and compares the named outputs with float64 references. */
export async function checkForward<R>(
  log: CheckLog,
  label: string,
  run: () => Promise<R>,
  outputs: [string, (r: R) => tf.Tensor | undefined, F64][],
): Promise<void> {
  const result = await run();
  try {
    for (const [what, pick, expected] of outputs) log.compare(`${label} ${what}`, pick(result), expected, TOL.forward);
  } finally {
    tf.dispose(collectTensors(result));
  }
}

export interface BackwardSpec {
  label: string;
  /** Inputs in the forward's argument order, each with the backward's name for its gradient. */
  inputs: { value: F64; grad: string }[];
  dout: F64;
  /** The reference forward: its cache is what the student's backward receives; `out` is differentiated by autodiff. */
  referenceForward: (...xs: tf.Tensor[]) => { out: tf.Tensor; cache: unknown };
  studentBackward: (dout: tf.Tensor, cache: never) => Promise<unknown>;
  /** Float64 forward reading the inputs' `.data` afresh (for the numeric gradient). */
  f64Forward: () => F64;
}

export async function checkBackward(log: CheckLog, spec: BackwardSpec): Promise<void> {
  const xs = spec.inputs.map((i) => toTensor(i.value));
  const dout = toTensor(spec.dout);
  const forward = spec.referenceForward(...xs);
  const owned: tf.Tensor[] = [...xs, dout, ...collectTensors(forward)];
  try {
    const grads = (await spec.studentBackward(dout, forward.cache as never)) as Record<string, tf.Tensor> | undefined;
    owned.push(...collectTensors(grads));
    const auto = autodiffVjp((...a) => spec.referenceForward(...a).out, xs, dout);
    owned.push(...auto);
    spec.inputs.forEach((input, i) => {
      const g = grads?.[input.grad];
      log.compare(`${input.grad} vs autodiff`, g, auto[i], TOL.autodiff);
      log.compare(
        `${input.grad} vs float64 numeric`,
        g,
        numericVjp(spec.f64Forward, input.value, spec.dout),
        TOL.numeric,
      );
    });
  } finally {
    tf.dispose(owned);
  }
}
