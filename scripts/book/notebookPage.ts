/**
 * One executed notebook as the body of a book page: its cells in order (markdown rendered,
 * code highlighted with its number and seconds, outputs), the run line (mode, backend, date,
 * commit, status), and what the page template and the index need (title, headings, figures).
 */
import { escapeHtml } from '../../lib/display/figurePage';
import { joinText, Notebook, runnableCells } from '../runner/nbformat';
import { readRunMetadata, RunMetadata } from '../runner/runMetadata';
import { highlightCode } from './highlight';
import { Heading, MarkdownContext, renderMarkdown, Slugger } from './markdown';
import { MathError } from './math';
import { OutputContext, renderOutputs } from './outputs';

export interface RenderedNotebook {
  stem: string;
  /** Plain-text title: the first heading, else the stem. */
  title: string;
  /** The cells, run line first. */
  body: string;
  /** Headings of markdown cells, in order, for the table of contents. */
  headings: Heading[];
  /** Plotly figures, numbered as the runner numbers its exported figures. */
  figures: { k: number; id: string; title: string }[];
  run: RunMetadata | null;
  /** 1-based number of the code cell that failed, if one did. */
  failedCell?: number;
  /** The first markdown paragraph that is not a heading (for the index). */
  firstParagraph?: string;
  mathErrors: MathError[];
}

const seconds = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1));

/** The line under the title: mode, backend, date, commit, cells and time, failure. */
function runLine(run: RunMetadata | null, codeCells: number, failedCell: number | undefined): string {
  if (!run)
    return `<p class="run-info">No run record (this notebook was not executed by <code>npm run notebooks</code>).</p>`;
  const ran = run.cellSeconds.filter((s): s is number => s !== null);
  const total = ran.reduce((a, b) => a + b, 0);
  const parts = [
    `<strong>${run.mode}</strong> mode`,
    `backend ${escapeHtml(run.backend ?? 'none initialised')}`,
    `run ${escapeHtml(run.date.replace('T', ' ').replace(/Z$/, ' UTC'))}`,
    run.commit
      ? `commit <code>${escapeHtml(run.commit)}</code>${run.dirty ? ' with uncommitted changes' : ''}`
      : 'not from a git checkout',
    `${ran.length}/${codeCells} code cells in ${seconds(total)} s`,
  ];
  if (failedCell !== undefined)
    parts.push(`<span class="status-failed">failed in <a href="#cell-${failedCell}">cell ${failedCell}</a></span>`);
  return `<p class="run-info">${parts.join(' · ')}</p>`;
}

/** The run line goes right under the title (the first `<h1>`), or first when there is none. */
function withRunLine(body: string, line: string): string {
  const end = body.indexOf('</h1>');
  return end < 0 ? `${line}\n${body}` : `${body.slice(0, end + 5)}\n${line}${body.slice(end + 5)}`;
}

/** The first block of the first markdown cell's source that is prose (not a heading, list, maths or code). */
function firstProse(nb: Notebook): string | undefined {
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const block = joinText(cell.source)
      .split(/\n[ \t]*\n/)
      .map((b) => b.trim())
      .find((b) => b !== '' && !/^(#|[-*+] |\d+\. |\$\$|```|\||>|<)/.test(b));
    if (block) return block;
  }
  return undefined;
}

/**
 * Where the page's notebook is and how to run it: the executed copy (`ipynbHref`, relative to the
 * page) and the commands, full and quick.
 */
function runItLine(stem: string, ipynbHref: string): string {
  const prefix = /^\d+/.exec(stem)?.[0] ?? stem;
  return (
    `<p class="run-info">The executed notebook: <a href="${escapeHtml(ipynbHref)}">${escapeHtml(stem)}.ipynb</a> ` +
    `(its source: <code>notebooks/${escapeHtml(stem)}.ipynb</code>). Run it: ` +
    `<code>npm run notebooks -- ${escapeHtml(prefix)}</code>, or in quick mode ` +
    `<code>BACKPROP_QUICK=1 npm run notebooks -- ${escapeHtml(prefix)}</code>.</p>`
  );
}

/**
 * Renders `nb` (executed, from `<stem>.ipynb`, found from the page at `ipynbHref`); `pages` are
 * the stems that have pages, for links.
 */
export function renderNotebook(
  nb: Notebook,
  stem: string,
  pages: ReadonlySet<string>,
  ipynbHref = `../notebooks/${encodeURIComponent(stem)}.ipynb`,
): RenderedNotebook {
  const markdown: MarkdownContext = { slugger: new Slugger(), headings: [], mathErrors: [], pages };
  const outputCtx: OutputContext = { markdown: { ...markdown, headings: undefined }, figures: [] };
  const run = readRunMetadata(nb);
  const runnable = runnableCells(nb);
  const cells: string[] = [];
  let failedCell: number | undefined;
  nb.cells.forEach((cell, index) => {
    const source = joinText(cell.source);
    if (cell.cell_type === 'markdown') {
      cells.push(`<section class="cell markdown">${renderMarkdown(source, markdown)}</section>`);
      return;
    }
    if (cell.cell_type !== 'code' || source.trim() === '') return;
    const k = runnable.indexOf(index) + 1;
    const outputs = cell.outputs ?? [];
    const failed = outputs.some((o) => o.output_type === 'error');
    if (failed && failedCell === undefined) failedCell = k;
    const took = run?.cellSeconds[k - 1];
    const meta =
      typeof took === 'number'
        ? `${seconds(took)} s`
        : run && outputs.length === 0
          ? '<span class="not-run">not run</span>'
          : '';
    cells.push(
      `<section class="cell code${failed ? ' failed' : ''}" id="cell-${k}">` +
        `<div class="cell-meta">[${k}]${meta ? ` · ${meta}` : ''}</div>` +
        `<pre class="source hljs"><code class="language-typescript">${highlightCode(source)}</code></pre>` +
        renderOutputs(outputs, outputCtx) +
        `</section>`,
    );
  });
  const headings = markdown.headings ?? [];
  const firstParagraph = firstProse(nb);
  return {
    stem,
    title: headings[0]?.text || stem,
    body: withRunLine(cells.join('\n'), `${runLine(run, runnable.length, failedCell)}\n${runItLine(stem, ipynbHref)}`),
    headings,
    figures: outputCtx.figures,
    run,
    failedCell,
    firstParagraph:
      firstParagraph === undefined
        ? undefined
        : renderMarkdown(firstParagraph, { slugger: new Slugger(), mathErrors: [], pages }),
    mathErrors: markdown.mathErrors,
  };
}
