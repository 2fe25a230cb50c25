/**
 * Opt-in finite checks. With debug checks on, every tensor argument a public function
 * validates (lib/core/validate.ts, `checkArgs(fn).tensor(...)`) must also hold only finite
 * values, so the first function handed a NaN or ±Inf stops with a {@link NonFiniteValueError}
 * naming itself, the argument and the element — the layer before it (or the caller) made it.
 * Off by default: the scan reads every argument back from the backend, which costs a sync
 * per call. Turn it on with `bp.setDebugChecks(true)` or the environment variable
 * `BACKPROP_DEBUG_CHECKS=1`.
 */
import * as tf from '@tensorflow/tfjs';

/** A tensor argument held NaN or ±Inf while debug checks were on. */
export class NonFiniteValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteValueError';
  }
}

let forced: boolean | null = null;

/** Turns the finite checks on or off for this process; `null` defers to BACKPROP_DEBUG_CHECKS again. */
export function setDebugChecks(on: boolean | null): void {
  if (typeof on !== 'boolean' && on !== null)
    throw new TypeError(`setDebugChecks: argument 'on' expected true, false or null but got ${String(on)}`);
  forced = on;
}

/** Whether the finite checks are on: setDebugChecks, else BACKPROP_DEBUG_CHECKS=1/true/yes. */
export function debugChecksOn(): boolean {
  if (forced !== null) return forced;
  return ['1', 'true', 'yes'].includes((process.env.BACKPROP_DEBUG_CHECKS ?? '').trim().toLowerCase());
}

/** Throws a NonFiniteValueError when float tensor `t` (argument `arg` of `fn`) holds NaN or ±Inf. */
export function assertFiniteArgument(fn: string, arg: string, t: tf.Tensor): void {
  if (t.dtype !== 'float32') return;
  const values = t.dataSync() as Float32Array;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    throw new NonFiniteValueError(
      `${fn}: argument '${arg}' holds ${values[i]} at element ${i} of shape [${t.shape.join(', ')}] ` +
        '(debug checks are on: it came from the caller or the layer before)',
    );
  }
}
