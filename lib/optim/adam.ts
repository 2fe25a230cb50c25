/**
 * Adam (Kingma & Ba, 2015) with bias correction. At step t (from 1):
 *
 *   m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
 *   m̂ = m / (1 − β₁ᵗ)               v̂ = v / (1 − β₂ᵗ)
 *   θ ← θ − η · m̂ / (√v̂ + ε)
 *
 * On the first step m̂ = g and v̂ = g², so every parameter moves by ≈ η · sign(g).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { checkParamsAndGrads, checkStateShape, Grads, Optimizer, Params } from './optimizer';

export interface Adam extends Optimizer {
  beta1: number;
  beta2: number;
  eps: number;
  /** First and second moment estimates per parameter, created on first use. */
  m: Record<string, tf.Variable>;
  v: Record<string, tf.Variable>;
}

export function adam(opts: { lr: number; beta1?: number; beta2?: number; eps?: number }): Adam {
  checkArgs('adam')
    .number('lr', opts?.lr, { min: 0 })
    .number('beta1', opts.beta1 ?? 0.9, { min: 0, max: 1 })
    .number('beta2', opts.beta2 ?? 0.999, { min: 0, max: 1 })
    .number('eps', opts.eps ?? 1e-8, { min: 0 })
    .require(
      (opts.beta1 ?? 0.9) < 1 && (opts.beta2 ?? 0.999) < 1,
      "arguments 'beta1' and 'beta2' must be < 1 (bias correction divides by 1 − βᵗ)",
    );
  return {
    lr: opts.lr,
    beta1: opts.beta1 ?? 0.9,
    beta2: opts.beta2 ?? 0.999,
    eps: opts.eps ?? 1e-8,
    t: 0,
    m: {},
    v: {},
    step(params: Params, grads: Grads, lrOverride?: number) {
      const lr = lrOverride ?? this.lr;
      checkParamsAndGrads('adam.step', params, grads, lr);
      this.t += 1;
      const { beta1, beta2, eps, t } = this;
      for (const [name, g] of Object.entries(grads)) {
        checkStateShape('adam.step', name, this.m[name], g);
        this.m[name] ??= tf.tidy(() => tf.variable(tf.zerosLike(g), false));
        this.v[name] ??= tf.tidy(() => tf.variable(tf.zerosLike(g), false));
        const m = this.m[name];
        const v = this.v[name];
        tf.tidy(() => {
          // BEGIN SOLUTION
          m.assign(tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, g)));
          v.assign(tf.add(tf.mul(beta2, v), tf.mul(1 - beta2, tf.square(g))));
          const mHat = tf.div(m, 1 - beta1 ** t);
          const vHat = tf.div(v, 1 - beta2 ** t);
          params[name].assign(tf.sub(params[name], tf.div(tf.mul(lr, mHat), tf.add(tf.sqrt(vHat), eps))));
          // END SOLUTION
        });
      }
    },
    dispose() {
      tf.dispose([...Object.values(this.m), ...Object.values(this.v)]);
      this.m = {};
      this.v = {};
    },
  };
}
