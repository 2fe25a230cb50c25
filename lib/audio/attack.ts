/**
 * Attack time of a sound (the rise of its energy envelope): with e the RMS envelope over 10 ms
 * frames every 1 ms (frame t centred at t ms + 5 ms) and e_max its maximum,
 *
 *   start = first t with e[t] ≥ low·e_max,  end = first t with e[t] ≥ high·e_max,  attack = end − start
 *
 * in seconds (the threshold method, low = 0.1 and high = 0.9 by default, as the Timbre
 * Toolbox's simple variant). A struck note is ~ms; a bowed or swelling one is ~100 ms and more.
 */
import { checkArgs } from '../core/validate';
import { frameCount } from './frame';
import { checkSignal } from './matrix';

export interface AttackTime {
  /** Seconds from the low to the high threshold. */
  attack: number;
  /** Times (s) at which the envelope first reaches low·max and high·max. */
  start: number;
  end: number;
}

/** Attack time of a signal (definition in the module comment). */
export function attackTime(
  signal: Float32Array | Float64Array,
  sampleRate: number,
  opts: { low?: number; high?: number } = {},
): AttackTime {
  const x = checkSignal('attackTime', 'signal', signal);
  const low = opts.low ?? 0.1;
  const high = opts.high ?? 0.9;
  const c = checkArgs('attackTime')
    .number('sampleRate', sampleRate, { min: 0, exclusiveMin: true })
    .number('low', low, { min: 0, exclusiveMin: true })
    .number('high', high, { max: 1 })
    .require(low < high, `arguments 'low' (${low}) and 'high' (${high}) expected low < high`);
  const L = Math.max(1, Math.round(0.01 * sampleRate));
  const H = Math.max(1, Math.round(0.001 * sampleRate));
  const T = frameCount(x.length, L, H);
  c.require(T > 0, `argument 'signal' has ${x.length} samples, fewer than one 10 ms frame (${L})`);
  const e = new Float64Array(T);
  let eMax = 0;
  for (let t = 0; t < T; t++) {
    let acc = 0;
    for (let i = t * H; i < t * H + L; i++) acc += x[i] * x[i];
    e[t] = Math.sqrt(acc / L);
    eMax = Math.max(eMax, e[t]);
  }
  c.require(eMax > 0, "argument 'signal' is silent: no attack to measure");
  const first = (level: number): number => {
    for (let t = 0; t < T; t++) if (e[t] >= level * eMax) return (t * H + L / 2) / sampleRate;
    return NaN;
  };
  const start = first(low);
  const end = first(high);
  return { attack: end - start, start, end };
}
