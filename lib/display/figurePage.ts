/**
 * Plotly figures as self-contained HTML: plotly.js inline (no CDN, no require.js), so a
 * page works offline, in any browser, and inside notebook front ends without extensions.
 */
import * as fs from 'fs';

/** A plotly figure: traces, layout and config, as plotly.js and its MIME type take them. */
export interface PlotlyFigure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

let plotlySource: string | null = null;

/** The minified plotly.js bundle shipped by `plotly.js-dist-min` (read once). */
export function plotlyJs(): string {
  if (plotlySource === null) plotlySource = fs.readFileSync(plotlyJsPath(), 'utf8');
  return plotlySource;
}

/** JSON that is safe inside a `<script>` element (no `</script>` or `<!--` can appear). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A `<script>` that defines `window.Plotly`. The bundle is UMD: where an AMD loader is
 * present (classic Notebook's require.js) it would register with `define` instead of
 * setting `window.Plotly`, so `define` is hidden while it runs.
 */
export function plotlyScriptTag(): string {
  const src = plotlyJs().replace(/<\/script/gi, '<\\/script');
  return (
    `<script>(function(){var d=window.define;window.define=undefined;try{\n${src}\n}finally{window.define=d;}` +
    `var q=window.__backpropPlotlyQueue||[];window.__backpropPlotlyQueue=[];q.forEach(function(f){f();});})();</script>`
  );
}

/**
 * A `<div>` plus the script that draws `figure` into it — once `window.Plotly` exists, or
 * later when a plotly script on the page flushes the queue.
 */
export function figureDivHtml(figure: PlotlyFigure, divId: string, height = 420): string {
  const spec = scriptJson({
    data: figure.data,
    layout: figure.layout ?? {},
    config: { responsive: true, ...(figure.config ?? {}) },
  });
  return (
    `<div id="${divId}" class="backprop-figure" style="width:100%;min-height:${height}px"></div>\n` +
    `<script>(function(){var s=${spec};` +
    `function draw(){window.Plotly.newPlot(${JSON.stringify(divId)},s.data,s.layout,s.config);}` +
    `if(window.Plotly){draw();}` +
    `else{(window.__backpropPlotlyQueue=window.__backpropPlotlyQueue||[]).push(draw);}})();</script>`
  );
}

/** Text safe inside HTML elements and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** The figure's title as plain text (a string or `{ text }`, markup stripped), or `undefined`. */
export function figureTitle(figure: PlotlyFigure): string | undefined {
  const t = figure.layout?.title as string | { text?: string } | undefined;
  const text = typeof t === 'string' ? t : t?.text;
  return text && text.trim() !== '' ? text.replace(/<[^>]*>/g, '') : undefined;
}

/** The path of the plotly.js bundle this library inlines (a runner copies it beside its pages). */
export function plotlyJsPath(): string {
  return require.resolve('plotly.js-dist-min/plotly.min.js');
}

/**
 * A complete HTML page drawing `figure`: plotly.js inline (self-contained), or loaded from
 * `plotlySrc` (a relative URL of a shared copy, so many pages hold the 4.6 MB library once).
 */
export function figurePageHtml(figure: PlotlyFigure, title: string, plotlySrc?: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:16px;} .backprop-figure{max-width:1100px;}</style>
${plotlySrc === undefined ? plotlyScriptTag() : `<script src="${escapeHtml(plotlySrc)}"></script>`}
</head>
<body>
${figureDivHtml(figure, 'figure')}
</body>
</html>
`;
}
