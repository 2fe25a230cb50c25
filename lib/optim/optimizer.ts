/**
 * The optimizer contract shared by {@link sgd}, {@link sgdMomentum} and {@link adam}.
 *
 * Parameters are `tf.Variable`s updated in place with `assign`, and each optimizer keeps its
 * state (velocities, moments, step count) in plain fields a learner can inspect. After the
 * first step (which creates the state variables) a training loop's tensor count is flat.
 * `step` reads the gradients and does not dispose them; `dispose()` frees the state.
 *
 * ```ts
 * const params = { W: tf.variable(bp.randn([D, M], rng, 0.1)), b: tf.variable(tf.zeros([M])) };
 * const opt = bp.adam({ lr: 1e-3 });
 * const schedule = bp.stepDecay({ lr0: 1e-3, dropEvery: 1000, factor: 0.5 });
 * for (let step = 1; step <= steps; step++) {
 *   const grads = computeGrads(params);                        // { W: dW, b: db }
 *   bp.assertFinite(step, grads);
 *   const { grads: clipped } = bp.clipGlobalNorm(grads, 5);
 *   opt.step(params, clipped, schedule(step));
 *   tf.dispose([grads, clipped]);
 * }
 * opt.dispose();
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

export type Params = Record<string, tf.Variable>;
export type Grads = Record<string, tf.Tensor>;

export interface Optimizer {
  /** The base learning rate (a schedule may pass another one to `step`). */
  lr: number;
  /** Number of steps taken. */
  t: number;
  /** Updates every parameter that has a gradient of the same shape; `lr` overrides the base rate for this step. */
  step(params: Params, grads: Grads, lr?: number): void;
  /** Frees the optimizer's state tensors. */
  dispose(): void;
}

/** Checks the step's learning rate and that every gradient names a parameter of the same shape. */
/** Checks that an optimizer's saved state for `name` still has the gradient's shape (same name, other parameter). */
export function checkStateShape(fn: string, name: string, state: tf.Tensor | undefined, grad: tf.Tensor): void {
  if (state) checkArgs(fn).tensor(`grads.${name}`, grad, state.shape);
}

export function checkParamsAndGrads(fn: string, params: Params, grads: Grads, lr: number): void {
  const c = checkArgs(fn).number('lr', lr, { min: 0 });
  c.require(params !== null && typeof params === 'object', "argument 'params' expected Record<string, tf.Variable>");
  c.require(grads !== null && typeof grads === 'object', "argument 'grads' expected Record<string, tf.Tensor>");
  for (const [name, g] of Object.entries(grads)) {
    const p = params[name];
    c.require(p instanceof tf.Variable, `grads.${name} has no parameter '${name}' (a tf.Variable) in 'params'`);
    c.tensor(`grads.${name}`, g, p.shape);
  }
}
