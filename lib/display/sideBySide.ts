/**
 * Several plotly figures as panels of one figure, side by side (one row), each keeping its own
 * axes and with its title above it — e.g. the alignments of four systems on one sentence.
 * Colour scales are hidden except the last panel's; `zRange` gives every heatmap the same one.
 */
import { checkArgs } from '../core/validate';
import type { PlotlyFigure } from './figurePage';

export function sideBySide(
  figures: readonly PlotlyFigure[],
  opts: { title?: string; height?: number; zRange?: [number, number] } = {},
): PlotlyFigure {
  checkArgs('sideBySide').require(
    Array.isArray(figures) && figures.length > 0 && figures.every((f) => Array.isArray(f?.data)),
    "argument 'figures' expected a non-empty array of plotly figures",
  );
  const n = figures.length;
  const gap = 0.04;
  const width = (1 - gap * (n - 1)) / n;
  const layout: Record<string, unknown> = {
    title: { text: opts.title ?? '' },
    height: opts.height ?? 380,
    margin: { t: 80, l: 50, r: 20, b: 50 },
    annotations: [] as unknown[],
  };
  const data = figures.flatMap((f, i) => {
    const suffix = i === 0 ? '' : String(i + 1);
    const x0 = i * (width + gap);
    const fl = f.layout ?? {};
    layout[`xaxis${suffix}`] = { ...(fl.xaxis as object), domain: [x0, x0 + width], anchor: `y${suffix}` };
    layout[`yaxis${suffix}`] = {
      ...(fl.yaxis as object),
      anchor: `x${suffix}`,
      ...(i > 0 ? { title: { text: '' } } : {}),
    };
    const title = (fl.title as { text?: string } | undefined)?.text ?? '';
    (layout.annotations as unknown[]).push({
      text: title,
      x: x0 + width / 2,
      y: 1.02,
      xref: 'paper',
      yref: 'paper',
      xanchor: 'center',
      yanchor: 'bottom',
      showarrow: false,
      font: { size: 12 },
    });
    return f.data.map((trace) => ({
      ...trace,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      ...(i < n - 1 ? { showscale: false } : {}),
      ...(opts.zRange ? { zmin: opts.zRange[0], zmax: opts.zRange[1] } : {}),
    }));
  });
  return { data, layout };
}
