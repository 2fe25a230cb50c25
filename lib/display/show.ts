/**
 * Showing results in a notebook: figures, markdown and HTML, each as one display bundle so
 * every front end picks the richest MIME type it can render.
 */
import { randomBytes } from 'crypto';
import { checkArgs } from '../core/validate';
import { figureDivHtml, figureTitle, plotlyScriptTag, PlotlyFigure } from './figurePage';
import { findChromium, figurePngRequested, renderFigurePng } from './figurePng';
import { sendDisplay } from './kernel';
import { ensurePlotlyCopy, launchedByJupyter, plotlyLoaderTag } from './plotlyLoader';

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
 * plotly's extension), an HTML fallback (classic Notebook, Notebook 7, JupyterLab 4) and a
 * plain-text summary. The fallback gets plotly.js from {@link plotlyLibraryHtml}.
 */
export function figureBundle(figure: PlotlyFigure): Record<string, unknown> {
  checkArgs('show').require(
    figure !== null && typeof figure === 'object' && Array.isArray((figure as PlotlyFigure).data),
    "argument 'figure' expected { data: trace[], layout? } but got " +
      (Array.isArray(figure) ? 'an array' : typeof figure),
  );
  figureCount += 1;
  const divId = `backprop-fig-${pageToken}-${figureCount}`;
  const library = plotlyLibraryHtml();
  return {
    [PLOTLY_MIME]: { data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {} },
    'text/html': library + figureDivHtml(figure, divId),
    'text/plain': figureSummary(figure),
  };
}

/**
 * What a figure's HTML fallback carries to get `window.Plotly`: in a kernel a Jupyter server
 * launched, a small loader of the shared copy beside the notebook (see `plotlyLoader.ts`), so
 * a saved notebook stays small; otherwise (the headless runner, which replaces the fallback
 * by a PNG where it can, or a folder that cannot be written) plotly.js inline, in the first
 * figure of the process only.
 */
function plotlyLibraryHtml(): string {
  if (launchedByJupyter() && ensurePlotlyCopy()) return plotlyLoaderTag();
  const library = plotlyEmbedded ? '' : plotlyScriptTag();
  plotlyEmbedded = true;
  return library;
}

/**
 * Shows a plotly figure in the notebook (outside a kernel, prints its text summary). In a kernel
 * Jupyter launched with `BACKPROP_FIGURE_PNG=1`, the bundle also carries a PNG of the figure
 * (figurePng.ts), so the saved notebook shows it where scripts are stripped.
 */
export function show(figure: PlotlyFigure): void {
  const bundle = figureBundle(figure);
  const chromium = launchedByJupyter() && figurePngRequested() ? findChromium() : null;
  const png = chromium ? renderFigurePng(figure, chromium) : null;
  if (png) bundle['image/png'] = png.toString('base64');
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
