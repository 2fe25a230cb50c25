/**
 * Learning-rate schedules as pure functions of the step number: `lr = schedule(step)`, passed
 * to an optimizer as `opt.step(params, grads, schedule(step))`.
 */
import { checkArgs } from '../core/validate';

export type Schedule = (step: number) => number;

/** η_t = η₀ · factor^⌊t / dropEvery⌋ for step t ≥ 0 (drops at t = dropEvery, 2·dropEvery, …). */
export function stepDecay(opts: { lr0: number; dropEvery: number; factor: number }): Schedule {
  checkArgs('stepDecay')
    .number('lr0', opts?.lr0, { min: 0 })
    .number('dropEvery', opts.dropEvery, { integer: true, min: 1 })
    .number('factor', opts.factor, { min: 0 });
  return (step) => {
    checkArgs('stepDecay schedule').number('step', step, { min: 0 });
    return opts.lr0 * opts.factor ** Math.floor(step / opts.dropEvery);
  };
}

/** η_t = η₀ · decayRate^(t / decaySteps) for step t ≥ 0 (smooth: η falls by decayRate every decaySteps). */
export function exponentialDecay(opts: { lr0: number; decayRate: number; decaySteps: number }): Schedule {
  checkArgs('exponentialDecay')
    .number('lr0', opts?.lr0, { min: 0 })
    .number('decayRate', opts.decayRate, { min: 0 })
    .number('decaySteps', opts.decaySteps, { min: 0, exclusiveMin: true });
  return (step) => {
    checkArgs('exponentialDecay schedule').number('step', step, { min: 0 });
    return opts.lr0 * opts.decayRate ** (step / opts.decaySteps);
  };
}

/**
 * The Transformer schedule (Vaswani et al., 2017): linear warm-up, then inverse square root,
 *   η_t = d_model^−0.5 · min(t^−0.5, t · warmup^−1.5),   t ≥ 1.
 */
export function transformerWarmup(opts: { dModel: number; warmup: number }): Schedule {
  checkArgs('transformerWarmup')
    .number('dModel', opts?.dModel, { integer: true, min: 1 })
    .number('warmup', opts.warmup, { integer: true, min: 1 });
  return (step) => {
    checkArgs('transformerWarmup schedule').number('step', step, { min: 1 });
    return opts.dModel ** -0.5 * Math.min(step ** -0.5, step * opts.warmup ** -1.5);
  };
}

/**
 * The Noam schedule scaled to peak at `peakLr` at step `warmup`:
 *
 *   η_t = s · d_model^−0.5 · min(t^−0.5, t · warmup^−1.5),   s = peakLr / noam(warmup)
 *
 * (transformerWarmup scaled by s: small models need a smaller peak than the Transformer's, whose
 * unscaled peak would be 0.0125 at d_model = 64 and warmup 100).
 */
export function noamSchedule(opts: { dModel: number; warmup: number; peakLr: number }): Schedule {
  checkArgs('noamSchedule').number('peakLr', opts?.peakLr, { min: 0, exclusiveMin: true });
  const noam = transformerWarmup({ dModel: opts.dModel, warmup: opts.warmup });
  const scale = opts.peakLr / noam(opts.warmup);
  return (step) => scale * noam(step);
}
