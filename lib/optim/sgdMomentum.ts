/**
 * SGD with momentum (the CS231n form):
 *
 *   v ← μ · v − η · ∇θ L
 *   θ ← θ + v
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkParamsAndGrads, checkStateShape, Grads, Optimizer, Params } from './optimizer';

export interface SgdMomentum extends Optimizer {
  momentum: number;
  /** Velocity per parameter, created on first use. */
  velocity: Record<string, tf.Variable>;
}

export function sgdMomentum(opts: { lr: number; momentum?: number }): SgdMomentum {
  checkArgs('sgdMomentum')
    .number('lr', opts?.lr, { min: 0 })
    .number('momentum', opts.momentum ?? 0.9, { min: 0, max: 1 });
  return {
    lr: opts.lr,
    momentum: opts.momentum ?? 0.9,
    t: 0,
    velocity: {},
    step(params: Params, grads: Grads, lrOverride?: number) {
      const lr = lrOverride ?? this.lr;
      checkParamsAndGrads('sgdMomentum.step', params, grads, lr);
      for (const [name, g] of Object.entries(grads)) {
        checkStateShape('sgdMomentum.step', name, this.velocity[name], g);
        this.velocity[name] ??= tf.tidy(() => tf.variable(tf.zerosLike(g), false));
        const v = this.velocity[name];
        tf.tidy(() => {
          // BEGIN SOLUTION
          v.assign(tf.sub(tf.mul(this.momentum, v), tf.mul(lr, g)));
          params[name].assign(tf.add(params[name], v));
          // END SOLUTION
        });
      }
      this.t += 1;
    },
    dispose() {
      tf.dispose(Object.values(this.velocity));
      this.velocity = {};
    },
  };
}
