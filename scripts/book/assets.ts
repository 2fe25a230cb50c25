/**
 * The files every book page shares, copied once into `<book>/assets/`:
 *   katex/katex.min.css + katex/fonts/*.woff2   KaTeX's styles and fonts (every browser
 *                                               that runs the pages reads woff2);
 *   highlight.css                               the highlight.js theme;
 *   book.css, book.js, search.js                the book's own style, figure drawing and search
 *                                               box (kept in scripts/book/assets/);
 *   minisearch.js                               MiniSearch, the search box's index (search.ts);
 *   search-index.js                             the pages' sections, written by each build.
 * plotly.js (4.6 MB) is not among them: pages with figures load the run's one shared copy,
 * `<out>/figures/plotly.min.js`, which the figure pages load too (build.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { HIGHLIGHT_THEME } from './highlight';

/** Paths of the shared files, relative to the book's root, as pages link them. */
export const ASSETS = {
  katexCss: 'assets/katex/katex.min.css',
  highlightCss: 'assets/highlight.css',
  bookCss: 'assets/book.css',
  bookJs: 'assets/book.js',
  searchJs: 'assets/search.js',
  minisearchJs: 'assets/minisearch.js',
  searchIndexJs: 'assets/search-index.js',
} as const;

/** scripts/book/assets, whether this module runs from source (vitest) or from dist/. */
function ownAssetsDir(): string {
  const candidates = [
    path.join(__dirname, 'assets'),
    path.resolve(__dirname, '..', '..', '..', 'scripts', 'book', 'assets'),
  ];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'book.css')));
  if (!found) throw new Error(`book: its stylesheet is missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** Copies `from` to `to` unless an identical-size, not-older copy is there already. */
function copyFile(from: string, to: string): void {
  const src = fs.statSync(from);
  const dst = fs.existsSync(to) ? fs.statSync(to) : null;
  if (dst && dst.size === src.size && dst.mtimeMs >= src.mtimeMs) return;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** Writes the shared files into `bookDir`. */
export function copyAssets(bookDir: string): void {
  const katexDist = path.dirname(require.resolve('katex/dist/katex.min.css'));
  copyFile(path.join(katexDist, 'katex.min.css'), path.join(bookDir, ASSETS.katexCss));
  for (const font of fs.readdirSync(path.join(katexDist, 'fonts')).filter((f) => f.endsWith('.woff2'))) {
    copyFile(path.join(katexDist, 'fonts', font), path.join(bookDir, path.dirname(ASSETS.katexCss), 'fonts', font));
  }
  copyFile(require.resolve(`highlight.js/styles/${HIGHLIGHT_THEME}`), path.join(bookDir, ASSETS.highlightCss));
  const own = ownAssetsDir();
  copyFile(path.join(own, 'book.css'), path.join(bookDir, ASSETS.bookCss));
  copyFile(path.join(own, 'book.js'), path.join(bookDir, ASSETS.bookJs));
  copyFile(path.join(own, 'search.js'), path.join(bookDir, ASSETS.searchJs));
  // MiniSearch's browser (UMD) build: its package exports only the module entry, whose folder holds it.
  const minisearchDist = path.dirname(path.dirname(require.resolve('minisearch')));
  copyFile(path.join(minisearchDist, 'umd', 'index.js'), path.join(bookDir, ASSETS.minisearchJs));
}
