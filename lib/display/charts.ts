/**
 * Small builders for the figures the notebooks draw most: line charts (loss curves,
 * gradient norms), heatmaps (attention weights), bar charts (cost ratios) and image grids
 * (samples with captions). Each returns a plain plotly figure for {@link show}.
 */
import { checkArgs } from '../core/validate';
import type { PlotlyFigure } from './figurePage';
import { pngDataUri } from './pngDataUri';

const baseLayout = (title?: string): Record<string, unknown> => ({
  template: 'plotly_white',
  title: title ? { text: title } : undefined,
  margin: { l: 60, r: 20, t: title ? 50 : 20, b: 50 },
  font: { family: 'system-ui, sans-serif', size: 13 },
});

function checkSeries(fn: string, series: unknown): Record<string, number[]> {
  const c = checkArgs(fn);
  c.require(
    series !== null && typeof series === 'object' && !Array.isArray(series),
    "argument 'series' expected { name: number[] } but got " + typeof series,
  );
  const entries = Object.entries(series as Record<string, unknown>);
  c.require(entries.length > 0, "argument 'series' expected at least one series but got none");
  for (const [name, values] of entries) {
    c.require(
      Array.isArray(values) || ArrayBuffer.isView(values),
      `argument 'series.${name}' expected an array of numbers but got ${typeof values}`,
    );
  }
  return series as Record<string, number[]>;
}

/**
 * Lines sharing an x axis: `series` maps a legend name to its y values. `logX` / `logY` put
 * that axis on a log scale (for values spanning decades, e.g. widths 4..4096).
 */
export function lineChart(opts: {
  x?: number[];
  series: Record<string, number[]>;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
}): PlotlyFigure {
  const series = checkSeries('lineChart', opts?.series);
  const lengths = Object.values(series).map((v) => v.length);
  if (opts.x) {
    checkArgs('lineChart').require(
      lengths.every((n) => n === opts.x!.length),
      `argument 'x' has length ${opts.x.length} but series have lengths [${lengths.join(', ')}]`,
    );
  }
  return {
    data: Object.entries(series).map(([name, y]) => ({
      type: 'scatter',
      mode: 'lines',
      name,
      x: opts.x ? Array.from(opts.x) : y.map((_, i) => i),
      y: Array.from(y),
    })),
    layout: {
      ...baseLayout(opts.title),
      xaxis: { title: { text: opts.xTitle ?? '' }, type: opts.logX ? 'log' : 'linear' },
      yaxis: { title: { text: opts.yTitle ?? '' }, type: opts.logY ? 'log' : 'linear' },
      showlegend: Object.keys(series).length > 1,
    },
  };
}

/** A heatmap of `z[row][col]` (row 0 at the top, like a matrix). */
export function heatmap(
  z: number[][],
  opts: {
    x?: Array<string | number>;
    y?: Array<string | number>;
    title?: string;
    colorscale?: string;
    zmin?: number;
    zmax?: number;
    xTitle?: string;
    yTitle?: string;
  } = {},
): PlotlyFigure {
  const c = checkArgs('heatmap');
  c.require(
    Array.isArray(z) && z.length > 0 && z.every((row) => Array.isArray(row) || ArrayBuffer.isView(row)),
    "argument 'z' expected a non-empty number[][]",
  );
  const cols = z[0].length;
  c.require(
    z.every((row) => row.length === cols),
    `argument 'z' expected rows of equal length ${cols}`,
  );
  if (opts.x) c.require(opts.x.length === cols, `argument 'x' expected length ${cols} but got ${opts.x.length}`);
  if (opts.y)
    c.require(opts.y.length === z.length, `argument 'y' expected length ${z.length} but got ${opts.y.length}`);
  // Integer labels get one tick per cell (plotly's automatic ticks would add half-integers).
  const axis = (labels: Array<string | number> | undefined, title: string | undefined) => ({
    title: { text: title ?? '' },
    type: labels && typeof labels[0] === 'string' ? 'category' : undefined,
    ...(labels && labels.every((v) => Number.isInteger(v)) ? { tickmode: 'array', tickvals: [...labels] } : {}),
  });
  return {
    data: [
      {
        type: 'heatmap',
        z: z.map((r) => Array.from(r)),
        x: opts.x,
        y: opts.y,
        colorscale: opts.colorscale ?? 'Viridis',
        zmin: opts.zmin,
        zmax: opts.zmax,
      },
    ],
    layout: {
      ...baseLayout(opts.title),
      xaxis: axis(opts.x, opts.xTitle),
      yaxis: { ...axis(opts.y, opts.yTitle), autorange: 'reversed' },
    },
  };
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(opts: {
  categories: string[];
  series: Record<string, number[]>;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logY?: boolean;
}): PlotlyFigure {
  const series = checkSeries('barChart', opts?.series);
  const c = checkArgs('barChart');
  c.require(Array.isArray(opts.categories), "argument 'categories' expected string[]");
  for (const [name, v] of Object.entries(series)) {
    c.require(
      v.length === opts.categories.length,
      `argument 'series.${name}' expected length ${opts.categories.length} but got ${v.length}`,
    );
  }
  return {
    data: Object.entries(series).map(([name, y]) => ({ type: 'bar', name, x: opts.categories, y: Array.from(y) })),
    layout: {
      ...baseLayout(opts.title),
      barmode: 'group',
      xaxis: { title: { text: opts.xTitle ?? '' } },
      yaxis: { title: { text: opts.yTitle ?? '' }, type: opts.logY ? 'log' : 'linear' },
    },
  };
}

export interface GridImage {
  /** Row-major RGB pixels, height·width·3 values in 0..255. */
  pixels: Uint8Array | Float32Array | number[];
  height: number;
  width: number;
  caption?: string;
}

/** Images in a grid, each captioned underneath (plotly `image` traces of PNG data URIs, on their own axes). */
export function imageGrid(
  images: GridImage[],
  opts: { columns?: number; title?: string; cellHeight?: number } = {},
): PlotlyFigure {
  const c = checkArgs('imageGrid');
  c.require(Array.isArray(images) && images.length > 0, "argument 'images' expected a non-empty array");
  images.forEach((im, i) => {
    c.require(
      im.pixels.length === im.height * im.width * 3,
      `argument 'images[${i}].pixels' expected ${im.height}*${im.width}*3 = ${im.height * im.width * 3} values ` +
        `but got ${im.pixels.length}`,
    );
  });
  const columns = Math.min(opts.columns ?? 4, images.length);
  const rows = Math.ceil(images.length / columns);
  const captionSpace = 0.22 / rows;
  const data: Array<Record<string, unknown>> = [];
  const layout: Record<string, unknown> = {
    ...baseLayout(opts.title),
    margin: { l: 10, r: 10, t: opts.title ? 50 : 10, b: 10 },
  };
  const annotations: Array<Record<string, unknown>> = [];
  images.forEach((im, i) => {
    const row = Math.floor(i / columns);
    const col = i % columns;
    const k = i === 0 ? '' : String(i + 1);
    const x0 = col / columns + 0.01,
      x1 = (col + 1) / columns - 0.01;
    const yTop = 1 - row / rows,
      yBottom = 1 - (row + 1) / rows + captionSpace;
    data.push({
      type: 'image',
      source: pngDataUri(im.pixels, im.height, im.width),
      xaxis: `x${k}`,
      yaxis: `y${k}`,
      hoverinfo: 'skip',
    });
    layout[`xaxis${k}`] = { domain: [x0, x1], visible: false, anchor: `y${k}` };
    layout[`yaxis${k}`] = { domain: [yBottom, yTop], visible: false, anchor: `x${k}`, scaleanchor: `x${k}` };
    if (im.caption) {
      annotations.push({
        text: im.caption,
        xref: 'paper',
        yref: 'paper',
        x: (x0 + x1) / 2,
        y: yBottom - 0.005,
        xanchor: 'center',
        yanchor: 'top',
        showarrow: false,
        font: { size: 11 },
      });
    }
  });
  layout.annotations = annotations;
  layout.height = Math.max(220, rows * (opts.cellHeight ?? 200) + (opts.title ? 50 : 10));
  return { data, layout };
}
