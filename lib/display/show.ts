/**
 * Showing results in a notebook: figures, markdown and HTML, each as one display bundle so
 * every front end picks the richest MIME type it can render.
 */
import { randomBytes } from 'crypto';
import { checkArgs } from '../core/validate';
import { figureDivHtml, figureTitle, plotlyScriptTag, PlotlyFigure } from './figurePage';
import { sendDisplay } from './kernel';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

const pageToken = randomBytes(4).toString('hex');
let figureCount = 0;
let plotlyEmbedded = false;

/** "Figure 'Loss' — 2 traces (scatter, scatter)": what a text-only front end shows. */
export function figureSummary(figure: PlotlyFigure): string {
  const text = figureTitle(figure);
  const types = figure.data.map((t) => String(t.type ?? 'scatter'));
  return (
    `Figure${text ? ` '${text}'` : ''} — ${figure.data.length} ` +
    `trace${figure.data.length === 1 ? '' : 's'} (${types.join(', ')})`
  );
}

/**
 * The display bundle for a figure: plotly's MIME type (VS Code, nteract, JupyterLab with
 * plotly's extension), an HTML fallback that draws with inline plotly.js (classic Notebook,
 * Notebook 7, JupyterLab 4; the library is embedded in the first figure of the process
 * only) and a plain-text summary.
 */
export function figureBundle(figure: PlotlyFigure): Record<string, unknown> {
  checkArgs('show').require(
    figure !== null && typeof figure === 'object' && Array.isArray((figure as PlotlyFigure).data),
    "argument 'figure' expected { data: trace[], layout? } but got " +
      (Array.isArray(figure) ? 'an array' : typeof figure),
  );
  figureCount += 1;
  const divId = `backprop-fig-${pageToken}-${figureCount}`;
  const library = plotlyEmbedded ? '' : plotlyScriptTag();
  plotlyEmbedded = true;
  return {
    [PLOTLY_MIME]: { data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {} },
    'text/html': library + figureDivHtml(figure, divId),
    'text/plain': figureSummary(figure),
  };
}

/** Shows a plotly figure in the notebook (outside a kernel, prints its text summary). */
export function show(figure: PlotlyFigure): void {
  const bundle = figureBundle(figure);
  if (!sendDisplay(bundle)) console.log(bundle['text/plain']);
}

/** Shows HTML with a plain-text alternative. */
export function showHtml(html: string, text: string): void {
  checkArgs('showHtml').require(typeof html === 'string', "argument 'html' must be a string");
  if (!sendDisplay({ 'text/html': html, 'text/plain': text })) console.log(text);
}

/** Shows markdown (LaTeX included) — how notebooks state results computed in the run. */
export function showMarkdown(md: string): void {
  checkArgs('showMarkdown').require(typeof md === 'string', `argument 'md' expected a string but got ${typeof md}`);
  if (!sendDisplay({ 'text/markdown': md, 'text/plain': md })) console.log(md);
}
