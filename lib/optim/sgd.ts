/**
 * Stochastic gradient descent: θ ← θ − η · ∇θ L.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkParamsAndGrads, Grads, Optimizer, Params } from './optimizer';

export function sgd(opts: { lr: number }): Optimizer {
  checkArgs('sgd').number('lr', opts?.lr, { min: 0 });
  return {
    lr: opts.lr,
    t: 0,
    step(params: Params, grads: Grads, lrOverride?: number) {
      const lr = lrOverride ?? this.lr;
      checkParamsAndGrads('sgd.step', params, grads, lr);
      tf.tidy(() => {
        for (const [name, g] of Object.entries(grads)) {
          // BEGIN SOLUTION
          params[name].assign(tf.sub(params[name], tf.mul(lr, g)));
          // END SOLUTION
        }
      });
      this.t += 1;
    },
    dispose() {},
  };
}
