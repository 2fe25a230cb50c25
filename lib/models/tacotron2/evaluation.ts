/**
 * What notebook 06 measures on a trained Tacotron:
 *
 * - exposure bias: the mel error per decoder step when the decoder reads the natural previous
 *   frames (teacher forcing) and when it reads its own (free running), same utterances, same steps;
 * - in-domain mel error under free running: synthesized vs natural log-mel, aligned by dynamic
 *   time warping (the lengths differ), mean squared error per mel value;
 * - robustness on the hard set by the alignment counter and by the listener (./robustness.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { AudioMatrix } from '../../audio/matrix';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import type { Tacotron2 } from './config';
import { TextMel, disposeTacotronBatch, makeTacotronBatch } from './batch';
import { decoderContext, runDecoder } from './decoder';
import { encoderForward } from './encoder';
import { Listener } from '../listener/transcribe';
import type { LogMelConfig } from '../listener/features';
import {
  intervalText,
  mcnemar,
  PairedDifference,
  rateInterval,
  resampleDifference,
  resampleInterval,
} from '../../experiments/statistics';
import { LIU_TABLE1 } from './liuPaper';
import {
  RobustnessCount,
  countAlignmentErrors,
  countableSymbols,
  listenerRobustness,
  robustnessErrorRate,
  sumRobustness,
  UtteranceOutcome,
  utteranceOutcome,
} from './robustness';
import { Synthesis, synthesize } from './synthesize';

/**
 * Mean squared (normalised) mel error of the decoder output at each decoder step t, averaged over
 * the utterances still speaking at t: teacher-forced vs free-running on the same `pairs`.
 */
export function exposureBiasCurve(
  model: Tacotron2,
  pairs: readonly TextMel[],
  seed: number,
): { teacherForced: number[]; freeRunning: number[]; utterances: number[] } {
  checkArgs('exposureBiasCurve').require(pairs.length > 0, "argument 'pairs' expected at least one pair");
  const batch = makeTacotronBatch(pairs, model);
  const { r, melDims: M } = model.config;
  const N = pairs.length,
    S = batch.steps;
  try {
    const perStep = (kind: 'teacher' | 'free'): Float32Array =>
      tf.tidy(() => {
        const memory = encoderForward(model, batch.ids, batch.textMask, { training: false });
        const run = runDecoder(decoderContext(model, memory, batch.textMask), {
          steps: S,
          feed: { kind },
          targets: batch.mel,
          rng: new Rng(seed),
        });
        const err = tf.mul(tf.square(tf.sub(run.mel, batch.mel)), tf.expandDims(batch.frameMask, 2)); // [N, S·r, M]
        return tf.sum(tf.reshape(err, [N, S, r * M]), 2).dataSync() as Float32Array; // [N·S]
      });
    const [tfErr, frErr] = [perStep('teacher'), perStep('free')];
    const frames = batch.frameMask.dataSync();
    const out = { teacherForced: [] as number[], freeRunning: [] as number[], utterances: [] as number[] };
    for (let t = 0; t < S; t++) {
      let a = 0,
        b = 0,
        values = 0,
        n = 0;
      for (let i = 0; i < N; i++) {
        let real = 0;
        for (let k = 0; k < r; k++) real += frames[i * S * r + t * r + k];
        if (real === 0) continue;
        a += tfErr[i * S + t];
        b += frErr[i * S + t];
        values += real * M;
        n++;
      }
      if (n === 0) break;
      out.teacherForced.push(a / values);
      out.freeRunning.push(b / values);
      out.utterances.push(n);
    }
    return out;
  } finally {
    disposeTacotronBatch(batch);
  }
}

/**
 * Mean squared difference per value between two log-mels [T₁, M] and [T₂, M] along their
 * dynamic-time-warping path (steps (1,0), (0,1), (1,1); cost = squared distance of frames),
 * divided by the path length and M.
 */
export function dtwMelError(a: AudioMatrix, b: AudioMatrix): number {
  checkArgs('dtwMelError').require(
    a?.cols === b?.cols && a.rows > 0 && b.rows > 0,
    `arguments 'a' and 'b' expected non-empty [T, M] log-mels with the ` +
      `same M but got [${a?.rows}, ${a?.cols}] and [${b?.rows}, ${b?.cols}]`,
  );
  const [T1, T2, M] = [a.rows, b.rows, a.cols];
  const D = new Float64Array((T1 + 1) * (T2 + 1)).fill(Infinity);
  const len = new Int32Array((T1 + 1) * (T2 + 1));
  const W = T2 + 1;
  D[0] = 0;
  for (let i = 1; i <= T1; i++)
    for (let j = 1; j <= T2; j++) {
      let d = 0;
      for (let m = 0; m < M; m++) {
        const x = a.data[(i - 1) * M + m] - b.data[(j - 1) * M + m];
        d += x * x;
      }
      const opts = [
        [D[(i - 1) * W + j - 1], len[(i - 1) * W + j - 1]],
        [D[(i - 1) * W + j], len[(i - 1) * W + j]],
        [D[i * W + j - 1], len[i * W + j - 1]],
      ];
      const [best, l] = opts.reduce((p, q) => (q[0] < p[0] ? q : p));
      D[i * W + j] = best + d;
      len[i * W + j] = l + 1;
    }
  return D[T1 * W + T2] / (len[T1 * W + T2] * M);
}

/** One hard-set utterance as a system spoke it, measured both ways. */
export interface UtteranceRobustness {
  id: string;
  category: string;
  text: string;
  byAlignment: RobustnessCount;
  byListener: RobustnessCount & { substitutions: number; transcript: string };
  synthesis: Synthesis;
}

/**
 * Synthesizes each utterance free-running (one batch per category) and measures it by the
 * alignment counter and by the listener.
 */
export function hardSetRobustness(
  model: Tacotron2,
  utterances: readonly { id: string; text: string; phones?: string; category?: string }[],
  listener: Listener,
  cfg: LogMelConfig,
  seed: number,
): UtteranceRobustness[] {
  checkArgs('hardSetRobustness').require(
    utterances.length > 0,
    "argument 'utterances' expected at least one utterance",
  );
  const categories = [...new Set(utterances.map((u) => u.category ?? ''))];
  const out: UtteranceRobustness[] = [];
  for (const cat of categories) {
    const group = utterances.filter((u) => (u.category ?? '') === cat);
    const syn = synthesize(model, group, { seed });
    const heard = listenerRobustness(
      listener,
      syn.map((s) => s.mel),
      group.map((u) => u.text),
      cfg,
    );
    group.forEach((u, i) =>
      out.push({
        id: u.id,
        category: cat,
        text: u.text,
        byAlignment: countAlignmentErrors(syn[i].alignment, syn[i].stopped, {
          countable: countableSymbols(model.config, u),
        }),
        byListener: heard[i],
        synthesis: syn[i],
      }),
    );
  }
  return out;
}

/** Skips, repeats, error rate % and incomplete utterances of a set of measurements (Liu et al.'s Table 1 columns). */
export function robustnessSummary(
  records: readonly UtteranceRobustness[],
  measure: 'byAlignment' | 'byListener',
): { skips: number; repeats: number; errorRatePercent: number; incomplete: number } {
  const s = sumRobustness(records.map((r) => r[measure]));
  return {
    skips: s.skips,
    repeats: s.repeats,
    errorRatePercent: 100 * robustnessErrorRate(s),
    incomplete: s.incomplete,
  };
}

/** One system evaluated with one seed (training and synthesis seed). */
export interface SystemRun {
  system: string;
  seed: number;
  records: UtteranceRobustness[];
}

/** The records of one system's runs, one row per seed, restricted to `category` (same sentences in every row). */
function recordGrid(runs: readonly SystemRun[], system: string, category?: string): UtteranceRobustness[][] {
  return runs
    .filter((r) => r.system === system)
    .map((r) => r.records.filter((x) => category === undefined || x.category === category));
}

/** Σ(skips + repeats) / Σ characters over the given seeds and sentences (repeats count). */
function pooledErrorRate(
  grid: readonly (readonly UtteranceRobustness[])[],
  measure: 'byAlignment' | 'byListener',
  seeds: readonly number[],
  items: readonly number[],
): number {
  let errors = 0;
  let characters = 0;
  for (const s of seeds)
    for (const i of items) {
      const c = grid[s][i][measure];
      errors += c.skips + c.repeats;
      characters += c.characters;
    }
  return characters > 0 ? errors / characters : 0;
}

/** The listener's substitutions per seed (total over the grid's sentences), averaged over seeds. */
function meanSubstitutions(grid: readonly (readonly UtteranceRobustness[])[]): number {
  const perSeed = grid.map((records) => records.reduce((a, r) => a + r.byListener.substitutions, 0));
  return perSeed.reduce((a, b) => a + b, 0) / perSeed.length;
}

/**
 * Rows in the layout of Liu et al.'s Table 1 — system, skips, repeats, error rate % — each
 * count the mean over seeds of its total over the utterances of `category` (or of the whole
 * hard set), the error rate pooled over seeds × sentences with its 95% interval resampling
 * both (inside [0, 100] %), plus the incomplete utterances (alignment) or the listener's
 * substitutions (which the paper's rate leaves out); then the paper's English rows for direction.
 */
export function robustnessTable1(
  runs: readonly SystemRun[],
  measure: 'byAlignment' | 'byListener',
  opts: { category?: string; paper?: boolean } = {},
): Record<string, string | number>[] {
  checkArgs('robustnessTable1')
    .require(runs.length > 0, "argument 'runs' expected at least one run")
    .require(
      measure === 'byAlignment' || measure === 'byListener',
      `argument 'measure' expected 'byAlignment' or 'byListener' but got ${String(measure)}`,
    );
  const systems = [...new Set(runs.map((r) => r.system))];
  const rows: Record<string, string | number>[] = systems.map((system) => {
    const grid = recordGrid(runs, system, opts.category);
    const per = grid.map((records) => robustnessSummary(records, measure));
    const mean = (k: 'skips' | 'repeats' | 'incomplete') => per.reduce((a, p) => a + p[k], 0) / per.length;
    const rate = resampleInterval(grid.length, grid[0].length, (s, i) => pooledErrorRate(grid, measure, s, i));
    return {
      system,
      seeds: per.length,
      skips: Number(mean('skips').toFixed(1)),
      repeats: Number(mean('repeats').toFixed(1)),
      'error rate %': intervalText(rate, { scale: 100, digits: 2 }),
      ...(measure === 'byAlignment'
        ? { incomplete: Number(mean('incomplete').toFixed(1)) }
        : { 'substitutions (not in the rate)': Number(meanSubstitutions(grid).toFixed(1)) }),
    };
  });
  if (opts.paper ?? true) {
    for (const p of LIU_TABLE1.filter((r) => r.language === 'en' && r.werPercent !== null))
      rows.push({
        system: `${p.system} (paper, English, for direction)`,
        seeds: '—',
        skips: p.skips!,
        repeats: p.repeats!,
        'error rate %': p.werPercent!.toFixed(2),
        ...(measure === 'byAlignment' ? { incomplete: '—' } : { 'substitutions (not in the rate)': '—' }),
      });
  }
  return rows;
}

/**
 * Paired comparison of two systems' pooled error rates (same hard sentences, same seed
 * indices): A − B, resampling seeds and sentences together.
 */
export function compareRobustness(
  runs: readonly SystemRun[],
  a: string,
  b: string,
  measure: 'byAlignment' | 'byListener',
): PairedDifference {
  const [ga, gb] = [recordGrid(runs, a), recordGrid(runs, b)];
  checkArgs('compareRobustness').require(
    ga.length > 0 && ga.length === gb.length && ga[0].length === gb[0].length,
    `arguments 'a' and 'b' expected systems with the same seeds and sentences in 'runs' but got ` +
      `${ga.length}×${ga[0]?.length} and ${gb.length}×${gb[0]?.length}`,
  );
  return resampleDifference(
    ga.length,
    ga[0].length,
    (s, i) => pooledErrorRate(ga, measure, s, i) - pooledErrorRate(gb, measure, s, i),
  );
}

const OUTCOMES: readonly UtteranceOutcome[] = ['clean', 'skip', 'repeat', 'no stop'];

/** Each utterance's outcome (./robustness.ts `utteranceOutcome`) for one system: [seed][sentence]. */
export function outcomeGrid(
  runs: readonly SystemRun[],
  system: string,
  measure: 'byAlignment' | 'byListener',
): UtteranceOutcome[][] {
  const grid = recordGrid(runs, system);
  checkArgs('outcomeGrid').require(
    grid.length > 0,
    `argument 'system' expected one of the runs' systems but got ${system}`,
  );
  return grid.map((records) => records.map((r) => utteranceOutcome(r[measure])));
}

/**
 * One row per system: how many utterances (seeds × sentences) ended clean, with a skip (the most
 * serious error first: no stop, skip, repeat), and the share left clean with its interval
 * resampling seeds and sentences (Wilson-joined, inside [0, 100] %).
 */
export function outcomeTable(
  runs: readonly SystemRun[],
  measure: 'byAlignment' | 'byListener',
): Record<string, string | number>[] {
  checkArgs('outcomeTable').require(runs.length > 0, "argument 'runs' expected at least one run");
  return [...new Set(runs.map((r) => r.system))].map((system) => {
    const grid = outcomeGrid(runs, system, measure);
    const flat = grid.flat();
    const count = (o: UtteranceOutcome) => flat.filter((x) => x === o).length;
    const clean = rateInterval(grid.map((row) => row.map((o) => (o === 'clean' ? 1 : 0))));
    return {
      system,
      utterances: flat.length,
      ...Object.fromEntries(OUTCOMES.map((o) => [o, count(o)])),
      'clean %': intervalText(clean, { scale: 100, digits: 1 }),
    };
  });
}

/**
 * Exact McNemar test of "the utterance came out clean" between systems A and B, paired on the same
 * (seed index, sentence): onlyA = utterances clean from A but not from B.
 */
export function compareCleanUtterances(
  runs: readonly SystemRun[],
  a: string,
  b: string,
  measure: 'byAlignment' | 'byListener',
): { onlyA: number; onlyB: number; pValue: number } {
  const [ga, gb] = [outcomeGrid(runs, a, measure), outcomeGrid(runs, b, measure)];
  checkArgs('compareCleanUtterances').require(
    ga.length === gb.length && ga[0].length === gb[0].length,
    `arguments 'a' and 'b' expected systems with the same seeds and sentences in 'runs' but got ` +
      `${ga.length}×${ga[0].length} and ${gb.length}×${gb[0].length}`,
  );
  const clean = (g: UtteranceOutcome[][]) => g.flat().map((o) => o === 'clean');
  return mcnemar(clean(ga), clean(gb));
}
