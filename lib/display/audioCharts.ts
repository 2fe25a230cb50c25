/**
 * Figures of sound: a waveform against seconds, a spectrogram (time in seconds × frequency in
 * Hz) and an attention/alignment map (decoder step × input character). Each returns a plain
 * plotly figure for {@link show}. Values are rounded (4 significant digits for waveforms, 0.01
 * for spectrogram cells) to keep notebooks small.
 */
import { checkArgs } from '../core/validate';
import { AudioMatrix, checkMatrix, checkSignal } from '../audio/matrix';
import type { PlotlyFigure } from './figurePage';

const layoutBase = (title?: string): Record<string, unknown> => ({
  template: 'plotly_white',
  title: title ? { text: title } : undefined,
  margin: { l: 70, r: 20, t: title ? 50 : 20, b: 50 },
  font: { family: 'system-ui, sans-serif', size: 13 },
});

/**
 * The waveform x[n] against n / sampleRate seconds. Long signals are drawn as their min/max
 * envelope over `maxPoints / 2` equal chunks (every peak still visible).
 */
export function waveformFigure(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  opts: { title?: string; maxPoints?: number } = {},
): PlotlyFigure {
  const x = checkSignal('waveformFigure', 'samples', samples);
  const maxPoints = opts.maxPoints ?? 4000;
  checkArgs('waveformFigure')
    .number('sampleRate', sampleRate, { min: 0, exclusiveMin: true })
    .number('maxPoints', maxPoints, { integer: true, min: 2 });
  const t: number[] = [];
  const y: number[] = [];
  const round = (v: number): number => Number(v.toPrecision(4));
  if (x.length <= maxPoints) {
    x.forEach((v, i) => {
      t.push(round(i / sampleRate));
      y.push(round(v));
    });
  } else {
    const chunks = Math.floor(maxPoints / 2);
    for (let c = 0; c < chunks; c++) {
      const a = Math.floor((c * x.length) / chunks);
      const b = Math.floor(((c + 1) * x.length) / chunks);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = a; i < b; i++) {
        lo = Math.min(lo, x[i]);
        hi = Math.max(hi, x[i]);
      }
      t.push(round(a / sampleRate), round((b - 1) / sampleRate));
      y.push(round(lo), round(hi));
    }
  }
  return {
    data: [{ type: 'scatter', mode: 'lines', x: t, y, line: { width: 1 }, name: 'x' }],
    layout: {
      ...layoutBase(opts.title),
      xaxis: { title: { text: 'time (s)' } },
      yaxis: { title: { text: 'amplitude' } },
      showlegend: false,
    },
  };
}

/**
 * A spectrogram heatmap from `spec` `[frames, bins]` (log-magnitude, log-mel, dB …): frame t
 * at t·hop/sampleRate seconds (a centred STFT's frame centre), row k at `frequencies[k]` Hz —
 * by default the linear STFT bins k·sampleRate/nFft with nFft = 2·(bins − 1); pass
 * `melEdges(...).slice(1, -1)` for mel bands.
 */
export function spectrogramFigure(
  spec: AudioMatrix,
  opts: {
    sampleRate: number;
    hop: number;
    frequencies?: ArrayLike<number>;
    title?: string;
    zTitle?: string;
    colorscale?: string;
  },
): PlotlyFigure {
  const m = checkMatrix('spectrogramFigure', 'spec', spec);
  const c = checkArgs('spectrogramFigure');
  c.require(
    opts !== null && typeof opts === 'object',
    "argument 'opts' expected { sampleRate, hop, frequencies?, title? }",
  )
    .number('sampleRate', opts.sampleRate, { min: 0, exclusiveMin: true })
    .number('hop', opts.hop, { min: 0, exclusiveMin: true })
    .require(m.rows > 0 && m.cols > 0, `argument 'spec' is empty ([${m.rows}, ${m.cols}])`);
  let freqs: number[];
  if (opts.frequencies !== undefined) {
    c.require(
      opts.frequencies.length === m.cols,
      `argument 'frequencies' expected length ${m.cols} (one per bin) but got ${opts.frequencies.length}`,
    );
    freqs = Array.from(opts.frequencies, (f) => Number(f.toFixed(1)));
  } else {
    c.require(m.cols >= 2, `argument 'spec' has ${m.cols} bin; pass 'frequencies' for a single band`);
    const nFft = 2 * (m.cols - 1);
    freqs = Array.from({ length: m.cols }, (_, k) => Number(((k * opts.sampleRate) / nFft).toFixed(1)));
  }
  const times = Array.from({ length: m.rows }, (_, t) => Number(((t * opts.hop) / opts.sampleRate).toFixed(4)));
  // plotly's z is [y][x]: one row per frequency.
  const z: number[][] = [];
  for (let k = 0; k < m.cols; k++) {
    const row = new Array<number>(m.rows);
    for (let t = 0; t < m.rows; t++) row[t] = Math.round(m.data[t * m.cols + k] * 100) / 100;
    z.push(row);
  }
  return {
    data: [
      {
        type: 'heatmap',
        x: times,
        y: freqs,
        z,
        colorscale: opts.colorscale ?? 'Magma',
        colorbar: { title: { text: opts.zTitle ?? '' } },
      },
    ],
    layout: {
      ...layoutBase(opts.title),
      xaxis: { title: { text: 'time (s)' } },
      yaxis: { title: { text: 'frequency (Hz)' } },
    },
  };
}

/**
 * An alignment heatmap: `weights[step][j]` = attention of decoder step `step` on input character j
 * (or a CTC posteriogram: frame × output symbol). x = decoder step (or, with `stepSeconds`, time
 * in seconds), y = the characters (repeated characters keep their own rows), row 0 at the bottom.
 */
export function alignmentFigure(
  weights: AudioMatrix | number[][],
  opts: {
    characters: string[] | string;
    stepSeconds?: number;
    title?: string;
    xTitle?: string;
    yTitle?: string;
    colorscale?: string;
  },
): PlotlyFigure {
  const c = checkArgs('alignmentFigure');
  const rows: ArrayLike<number>[] = Array.isArray(weights)
    ? weights
    : (() => {
        const m = checkMatrix('alignmentFigure', 'weights', weights);
        return Array.from({ length: m.rows }, (_, r) => m.data.subarray(r * m.cols, (r + 1) * m.cols));
      })();
  c.require(rows.length > 0, "argument 'weights' has no decoder steps");
  const chars = Array.from(opts?.characters ?? []);
  const C = rows[0].length;
  c.require(
    rows.every((r) => r.length === C),
    `argument 'weights' expected rows of equal length ${C}`,
  ).require(
    chars.length === C,
    `argument 'characters' expected ${C} characters (one per column of weights) but got ${chars.length}`,
  );
  const z: number[][] = [];
  for (let j = 0; j < C; j++) z.push(rows.map((r) => Number(r[j].toPrecision(3))));
  const label = (ch: string): string => (ch === ' ' ? '␣' : ch);
  const dt = opts.stepSeconds;
  if (dt !== undefined) c.number('stepSeconds', dt, { min: 0, exclusiveMin: true });
  const x = rows.map((_, s) => (dt === undefined ? s : Number((s * dt).toFixed(4))));
  // Whole-number steps only (plotly would add half steps to a short alignment).
  const xaxis =
    dt === undefined
      ? { title: { text: opts.xTitle ?? 'decoder step' }, tick0: 0, dtick: Math.max(1, Math.ceil(rows.length / 10)) }
      : { title: { text: opts.xTitle ?? 'time (s)' } };
  return {
    data: [{ type: 'heatmap', x, y: chars.map((_, j) => j), z, colorscale: opts.colorscale ?? 'Viridis' }],
    layout: {
      ...layoutBase(opts.title),
      xaxis,
      yaxis: {
        title: { text: opts.yTitle ?? 'input character' },
        tickmode: 'array',
        tickvals: chars.map((_, j) => j),
        ticktext: chars.map(label),
      },
    },
  };
}
