/**
 * Griffin-Lim phase reconstruction, and the whole path from a mel spectrogram to a waveform.
 *
 * Given a target magnitude S `[frames, bins]`, find a signal whose STFT magnitude is close to
 * S. With P_C(X) = stft(istft(X)) (projection on consistent spectrograms) and
 * P_A(X) = S ⊙ X/|X| (projection on the target magnitude), from phases X₀ = S ⊙ e^{iφ₀}:
 *
 *   classic (Griffin & Lim 1984):       X_{n+1} = P_A(P_C(X_n));
 *   fast (Perraudin et al. 2013, α>0):  C_n = P_C(P_A(T_{n−1})) ; T_n = C_n + α(C_n − C_{n−1}),
 *                                        i.e. librosa's `angles = rebuilt − α/(1+α)·previous` form
 *                                        with momentum α (default 0.99; 0 gives the classic algorithm).
 *
 * Reported per iteration n: spectral convergence SC_n = ‖ |stft(x_n)| − S ‖_F / ‖S‖_F of the
 * signal x_n = istft(S ⊙ e^{iφ_n}) at that iteration (non-increasing for the classic algorithm).
 */
import { checkArgs } from '../core/validate';
import { Rng } from '../core/random';
import { AudioMatrix, checkMatrix } from './matrix';
import { melFilterbank, MelOptions } from './mel';
import { melToLinear, MelInverseOptions } from './melInverse';
import { ComplexSpectrum, istft, IstftOptions, stft } from './stft';

export interface GriffinLimOptions extends IstftOptions {
  /** Iterations (default 32). */
  iterations?: number;
  /** Fast Griffin-Lim momentum α in [0, 1) (default 0.99; 0: classic Griffin-Lim). */
  momentum?: number;
  /** Initial phases: 'random' (uniform, seeded; default) or 'zeros'. */
  init?: 'random' | 'zeros';
  seed?: number;
}

export interface GriffinLimResult {
  signal: Float32Array;
  /** SC after each iteration (length `iterations`). */
  spectralConvergence: number[];
}

/** Reconstructs a signal from a magnitude spectrogram `[frames, nFft/2 + 1]` (algorithm in the module comment). */
export function griffinLim(magnitude: AudioMatrix, opts: GriffinLimOptions = {}): GriffinLimResult {
  const S = checkMatrix('griffinLim', 'magnitude', magnitude);
  const iterations = opts.iterations ?? 32;
  const momentum = opts.momentum ?? 0.99;
  const init = opts.init ?? 'random';
  const c = checkArgs('griffinLim')
    .number('iterations', iterations, { integer: true, min: 0 })
    .number('momentum', momentum, { min: 0 })
    .require(momentum < 1, `argument 'momentum' expected a number in [0, 1) but got ${momentum}`)
    .require(
      init === 'random' || init === 'zeros',
      `argument 'init' expected 'random' or 'zeros' but got ${String(init)}`,
    )
    .require(
      S.cols >= 3 && ((S.cols - 1) & (S.cols - 2)) === 0,
      `argument 'magnitude' expected nFft/2 + 1 columns with nFft a power of two but got ${S.cols}`,
    );
  for (let i = 0; i < S.data.length; i++) {
    if (!(S.data[i] >= 0 && Number.isFinite(S.data[i])))
      c.require(false, `argument 'magnitude' expected non-negative finite values but element ${i} is ${S.data[i]}`);
  }
  const nFft = 2 * (S.cols - 1);
  const frameOpts = { hop: opts.hop, win: opts.win, window: opts.window, center: opts.center, padMode: opts.padMode };
  const n = S.data.length;
  // Unit phasors, angles = e^{iφ}.
  const aRe = new Float32Array(n);
  const aIm = new Float32Array(n);
  if (init === 'random') {
    const rng = new Rng(opts.seed ?? 0);
    for (let i = 0; i < n; i++) {
      const phi = 2 * Math.PI * rng.uniform();
      aRe[i] = Math.cos(phi);
      aIm[i] = Math.sin(phi);
    }
  } else {
    aRe.fill(1);
  }
  let normS = 0;
  for (let i = 0; i < n; i++) normS += S.data[i] * S.data[i];
  normS = Math.sqrt(normS) || 1;
  const withMagnitude = (): ComplexSpectrum => {
    const re = new Float32Array(n);
    const im = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      re[i] = S.data[i] * aRe[i];
      im[i] = S.data[i] * aIm[i];
    }
    return { re, im, frames: S.rows, bins: S.cols };
  };
  const prevRe = new Float32Array(n);
  const prevIm = new Float32Array(n);
  const sc: number[] = [];
  const beta = momentum / (1 + momentum);
  for (let it = 0; it < iterations; it++) {
    // istft's natural length ((frames − 1)·hop when centred) re-analyses to exactly `frames` frames.
    const rebuilt = stft(istft(withMagnitude(), frameOpts), { ...frameOpts, nFft });
    let err = 0;
    for (let i = 0; i < n; i++) {
      const re = rebuilt.re[i];
      const im = rebuilt.im[i];
      const mag = Math.sqrt(re * re + im * im);
      const d = mag - S.data[i];
      err += d * d;
      let ur = re - beta * prevRe[i];
      let ui = im - beta * prevIm[i];
      const u = Math.sqrt(ur * ur + ui * ui);
      if (u > 1e-16) {
        ur /= u;
        ui /= u;
      } else {
        ur = 1;
        ui = 0;
      }
      aRe[i] = ur;
      aIm[i] = ui;
      prevRe[i] = re;
      prevIm[i] = im;
    }
    sc.push(Math.sqrt(err) / normS);
  }
  return { signal: istft(withMagnitude(), { ...frameOpts, length: opts.length }), spectralConvergence: sc };
}

export interface GriffinLimFromMelOptions
  extends Omit<GriffinLimOptions, 'window'>, Omit<MelOptions, 'nFft'>, MelInverseOptions {
  nFft: number;
  /** The input is a log-mel (ln M, as ./logMel): exponentiate first (default false: linear mel M). */
  logInput?: boolean;
  /** Iterations of Griffin-Lim (default 32); `inverseIterations` for the NNLS step (default 200). */
  inverseIterations?: number;
}

/**
 * mel (or log-mel) spectrogram `[frames, nMels]` → waveform: M → linear magnitude by NNLS or the
 * pseudo-inverse (./melInverse), then {@link griffinLim}. Pass the options the mel was made with.
 */
export function griffinLimFromMel(
  mel: AudioMatrix,
  opts: GriffinLimFromMelOptions,
): GriffinLimResult & { linear: AudioMatrix } {
  const m = checkMatrix('griffinLimFromMel', 'mel', mel);
  checkArgs('griffinLimFromMel')
    .require(
      opts !== null && typeof opts === 'object',
      "argument 'opts' expected { sampleRate, nFft, nMels, hop, ... }",
    )
    .require(
      opts.nMels === m.cols,
      `argument 'mel' expected nMels = ${opts.nMels} columns but got [${m.rows}, ${m.cols}]`,
    );
  const fb = melFilterbank({
    sampleRate: opts.sampleRate,
    nFft: opts.nFft,
    nMels: opts.nMels,
    fMin: opts.fMin,
    fMax: opts.fMax,
    scale: opts.scale,
    norm: opts.norm,
  });
  const linearMel = opts.logInput ? { data: m.data.map(Math.exp), rows: m.rows, cols: m.cols } : m;
  const linear = melToLinear(linearMel, fb, {
    method: opts.method,
    power: opts.power,
    iterations: opts.inverseIterations,
  });
  const result = griffinLim(linear, {
    hop: opts.hop,
    win: opts.win,
    center: opts.center,
    padMode: opts.padMode,
    length: opts.length,
    iterations: opts.iterations,
    momentum: opts.momentum,
    init: opts.init,
    seed: opts.seed,
  });
  return { ...result, linear };
}
