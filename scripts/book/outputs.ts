/**
 * A code cell's outputs as book HTML, in order. Each display bundle shows its richest MIME
 * type the book can render offline:
 *
 *   audio/wav (any audio/*)         an `<audio controls>` player (data URL of the base64
 *                                   bytes) under the caption of the bundle's HTML fallback,
 *                                   whose own `<audio>` is not used
 *   application/vnd.plotly.v1+json  an interactive plot, drawn by the page's script with the
 *                                   shared assets/plotly.min.js (the bundle's HTML fallback
 *                                   inlines plotly.js, 4.6 MB, and is never used)
 *   image/png, image/jpeg           an image (data URL)
 *   text/markdown                   markdown with KaTeX maths
 *   text/html                       as is (tables, progress), a table's CSV link pointed from the book
 *   text/plain                      preformatted text
 *
 * Streams are preformatted (stderr marked); errors are shown as errors, ANSI codes stripped.
 */
import { escapeHtml, figureTitle, PlotlyFigure, scriptJson } from '../../lib/display/figurePage';
import { PLOTLY_MIME } from '../../lib/display/show';
import { joinText, MimeBundle, Output } from '../runner/nbformat';
import { MarkdownContext, renderMarkdown } from './markdown';

/** Per-page state: the figure counter (figure-k, as the runner numbers its exported figures). */
export interface OutputContext {
  markdown: MarkdownContext;
  figures: { k: number; id: string; title: string }[];
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Text without ANSI escape codes (terminal colours in tracebacks, progress output). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const text = (value: unknown): string =>
  typeof value === 'string' || Array.isArray(value) ? joinText(value as string | string[]) : JSON.stringify(value);
const base64 = (value: unknown): string => text(value).replace(/\s+/g, '');

function plotlyFigure(value: unknown, ctx: OutputContext): string {
  const fig = (typeof value === 'string' ? JSON.parse(value) : value) as PlotlyFigure;
  const k = ctx.figures.length + 1;
  const id = `figure-${k}`;
  const title = figureTitle(fig) ?? `Figure ${k}`;
  ctx.figures.push({ k, id, title });
  const spec = {
    data: fig.data,
    layout: fig.layout ?? {},
    config: { responsive: true, displaylogo: false, ...(fig.config ?? {}) },
  };
  const height = typeof fig.layout?.height === 'number' ? fig.layout.height : 420;
  return (
    `<figure class="plot" id="${id}"><div class="plotly-figure" ` +
    `style="min-height:${height}px" aria-label="${escapeHtml(title)}"></div>` +
    `<script type="application/json" class="plotly-spec">${scriptJson(spec)}</script></figure>`
  );
}

/**
 * A table's CSV link (lib/display/table.ts: `data-csv` holds its path from the project root,
 * `out/tables/…`) pointed from the book's folder, out/book/, instead of the notebooks folder.
 */
export function bookCsvLinks(html: string): string {
  return html.replace(
    /href="[^"]*" data-csv="out\/([^"]*)"/g,
    (_, rest: string) => `href="../${rest}" data-csv="out/${rest}"`,
  );
}

/** One display bundle, by the preference order of the module comment. */
export function renderBundle(data: MimeBundle, ctx: OutputContext): string {
  const audio = Object.keys(data).find((mime) => /^audio\/[\w.+-]+$/.test(mime));
  if (audio) {
    // The clip's title: the caption of the bundle's own HTML player (bp.showAudio writes one).
    const caption = /<figcaption[^>]*>([\s\S]*?)<\/figcaption>/.exec(String(data['text/html'] ?? ''))?.[1];
    return (
      `<figure class="output audio">${caption ? `<figcaption>${caption}</figcaption>` : ''}` +
      `<audio controls preload="metadata" src="data:${audio};base64,${base64(data[audio])}"></audio></figure>`
    );
  }
  if (data[PLOTLY_MIME] !== undefined) return `<div class="output">${plotlyFigure(data[PLOTLY_MIME], ctx)}</div>`;
  for (const mime of ['image/png', 'image/jpeg']) {
    if (data[mime] !== undefined) {
      return `<div class="output"><img alt="" src="data:${mime};base64,${base64(data[mime])}"></div>`;
    }
  }
  if (data['text/markdown'] !== undefined) {
    return `<div class="output markdown">${renderMarkdown(text(data['text/markdown']), ctx.markdown)}</div>`;
  }
  if (data['text/html'] !== undefined) return `<div class="output html">${bookCsvLinks(text(data['text/html']))}</div>`;
  if (data['text/plain'] !== undefined)
    return `<pre class="output text">${escapeHtml(stripAnsi(text(data['text/plain'])))}</pre>`;
  return '';
}

/** Every output of a code cell, in order. */
export function renderOutputs(outputs: Output[], ctx: OutputContext): string {
  return outputs
    .map((o) => {
      switch (o.output_type) {
        case 'stream':
          return `<pre class="output stream ${o.name}">${escapeHtml(stripAnsi(joinText(o.text)))}</pre>`;
        case 'error': {
          const trace = stripAnsi(o.traceback.join('\n')).trim();
          return (
            `<div class="output error" role="alert"><div class="error-head">` +
            `${escapeHtml(stripAnsi(`${o.ename}: ${o.evalue}`))}</div>` +
            (trace ? `<pre>${escapeHtml(trace)}</pre>` : '') +
            `</div>`
          );
        }
        case 'display_data':
        case 'execute_result':
          return renderBundle(o.data, ctx);
        default:
          return '';
      }
    })
    .join('\n');
}
