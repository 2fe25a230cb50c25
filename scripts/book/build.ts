/**
 * Builds the book — `<book>/index.html`, one `<stem>.html` per executed notebook (in file
 * name order, with previous/next links) and the shared `<book>/assets/` — from executed
 * notebooks, without running anything. Like the pages' links to the executed notebooks, the
 * index's figure thumbnails and the pages' plotly.js point into the run's output beside the
 * book (`<out>/figures/`), so each is stored once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { escapeHtml } from '../../lib/display/figurePage';
import { writeSharedPlotly } from '../runner/figures';
import { readNotebook } from '../runner/nbformat';
import { ASSETS, copyAssets } from './assets';
import { IndexNotebook, indexHtml } from './indexPage';
import { MathError } from './math';
import { renderNotebook, RenderedNotebook } from './notebookPage';
import { pageSearchDocs, searchIndexScript } from './search';
import { pageHtml } from './template';

export interface BookOptions {
  /** Executed notebooks (`<out>/notebooks`). */
  notebooksDir: string;
  /** Where the book goes (`<out>/book`). */
  bookDir: string;
  /**
   * The runner's figures (`<out>/figures/<stem>/figure-<k>.png`, linked as thumbnails) and its
   * shared `plotly.min.js` (written there if missing), which pages with figures load.
   */
  figuresDir: string;
  /** README.md with the topics table. */
  readme?: string;
  /** Only notebooks that still have a source here (drops executed copies of renamed or deleted notebooks). */
  sourcesDir?: string;
}

export interface BookResult {
  index: string;
  /** Every page written, index first, with its size in bytes. */
  pages: { file: string; bytes: number }[];
  /** Bytes of the shared assets directory. */
  assetsBytes: number;
  mathErrors: (MathError & { stem: string })[];
}

/** The book of a runner output root: `<out>/notebooks` and `<out>/figures` → `<out>/book`. */
export function bookOptions(out: string, sourcesDir: string, readme: string): BookOptions {
  return {
    notebooksDir: path.join(out, 'notebooks'),
    bookDir: path.join(out, 'book'),
    figuresDir: path.join(out, 'figures'),
    readme,
    sourcesDir,
  };
}

function dirBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name);
    return sum + (e.isDirectory() ? dirBytes(p) : fs.statSync(p).size);
  }, 0);
}

/** `file` as a URL relative to the book's pages. */
function bookRelative(opts: BookOptions, file: string): string {
  return path.relative(opts.bookDir, file).split(path.sep).map(encodeURIComponent).join('/');
}

/** The index entry of a rendered notebook, its thumbnails linking the runner's figure PNGs. */
function indexEntry(r: RenderedNotebook, opts: BookOptions): IndexNotebook {
  const href = `${encodeURIComponent(r.stem)}.html`;
  const figures = r.figures.map((f) => {
    const png = path.join(opts.figuresDir, r.stem, `figure-${f.k}.png`);
    if (!fs.existsSync(png)) return { title: f.title, href: `${href}#${f.id}` };
    return { title: f.title, href: `${href}#${f.id}`, png: bookRelative(opts, png) };
  });
  const meta = r.run ? `${r.run.mode} mode · run ${escapeHtml(r.run.date.slice(0, 10))}` : 'no run record';
  const failed =
    r.failedCell !== undefined ? ` · <span class="status-failed">failed in cell ${r.failedCell}</span>` : '';
  return { stem: r.stem, href, title: r.title, meta: meta + failed, firstParagraph: r.firstParagraph, figures };
}

export function buildBook(opts: BookOptions): BookResult {
  const files = fs.existsSync(opts.notebooksDir)
    ? fs
        .readdirSync(opts.notebooksDir)
        .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
        .sort()
    : [];
  const kept = opts.sourcesDir ? files.filter((f) => fs.existsSync(path.join(opts.sourcesDir!, f))) : files;
  const stems = kept.map((f) => f.replace(/\.ipynb$/, ''));
  const pages = new Set(stems);
  const rendered = kept.map((f, i) => {
    const ipynb = path.relative(opts.bookDir, path.join(opts.notebooksDir, f)).split(path.sep).join('/');
    return renderNotebook(readNotebook(path.join(opts.notebooksDir, f)), stems[i], pages, encodeURI(ipynb));
  });

  // A rebuild replaces every page; the assets are only copied when changed.
  fs.mkdirSync(opts.bookDir, { recursive: true });
  for (const f of fs.readdirSync(opts.bookDir)) if (f.endsWith('.html')) fs.rmSync(path.join(opts.bookDir, f));
  copyAssets(opts.bookDir);
  const plotlyJs = rendered.some((r) => r.figures.length > 0)
    ? bookRelative(opts, writeSharedPlotly(opts.figuresDir))
    : undefined;
  fs.writeFileSync(
    path.join(opts.bookDir, ASSETS.searchIndexJs),
    searchIndexScript(rendered.flatMap((r) => pageSearchDocs(r))),
  );

  const written: BookResult['pages'] = [];
  const write = (name: string, html: string): string => {
    const file = path.join(opts.bookDir, name);
    fs.writeFileSync(file, html);
    written.push({ file, bytes: Buffer.byteLength(html) });
    return file;
  };
  const link = (r: RenderedNotebook | undefined) =>
    r ? { href: `${encodeURIComponent(r.stem)}.html`, title: r.title } : undefined;
  const readme = opts.readme && fs.existsSync(opts.readme) ? fs.readFileSync(opts.readme, 'utf8') : null;
  const index = write(
    'index.html',
    indexHtml(
      readme,
      rendered.map((r) => indexEntry(r, opts)),
    ),
  );
  rendered.forEach((r, i) => {
    const toc = r.headings.filter((h, k) => h.level <= 3 && !(k === 0 && h.level === 1)); // the title is not listed
    write(
      `${r.stem}.html`,
      pageHtml({
        title: r.title,
        body: r.body,
        toc,
        prev: link(rendered[i - 1]),
        next: link(rendered[i + 1]),
        plotlyJs: r.figures.length > 0 ? plotlyJs : undefined,
      }),
    );
  });
  return {
    index,
    pages: written,
    assetsBytes: dirBytes(path.join(opts.bookDir, 'assets')),
    mathErrors: rendered.flatMap((r) => r.mathErrors.map((e) => ({ ...e, stem: r.stem }))),
  };
}
