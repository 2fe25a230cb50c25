/**
 * The book's front page: the title, the topics table of the README (read from it, so the two
 * never disagree; notebook names link to their pages), then each notebook with its run, its
 * first paragraph and its figures as thumbnails (the runner's PNGs) or, without PNGs, links.
 */
import { escapeHtml } from '../../lib/display/figurePage';
import { renderMarkdown, Slugger } from './markdown';
import { BOOK_TITLE, pageHtml } from './template';

export interface IndexFigure {
  title: string;
  /** Link to the figure on its page. */
  href: string;
  /** Thumbnail, relative to the book root, when the runner rendered a PNG. */
  png?: string;
}

export interface IndexNotebook {
  stem: string;
  href: string;
  title: string;
  /** Mode and date of the run, and its failure if any, as HTML. */
  meta: string;
  firstParagraph?: string;
  figures: IndexFigure[];
}

/**
 * The markdown table under the README's `## Topics` heading, with a `` `stem` `` in its
 * first column linked to that notebook's page when the book has one; null when absent.
 */
export function topicsTableMarkdown(readme: string, pages: ReadonlySet<string>): string | null {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^##\s+Topics\s*$/.test(l));
  if (start < 0) return null;
  const table: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,2}\s/.test(line)) break;
    if (line.trimStart().startsWith('|')) table.push(line);
    else if (table.length > 0) break;
  }
  if (table.length < 3) return null;
  return table
    .map((row) =>
      row.replace(/^(\s*\|\s*)`([^`]+)`/, (whole, lead: string, stem: string) =>
        pages.has(stem) ? `${lead}[\`${stem}\`](${encodeURIComponent(stem)}.html)` : whole,
      ),
    )
    .join('\n');
}

function notebookItem(nb: IndexNotebook): string {
  const thumbs = nb.figures.filter((f) => f.png);
  const figures =
    thumbs.length > 0
      ? `<ul class="thumbs">${thumbs
          .map(
            (f) =>
              `<li><a href="${escapeHtml(f.href)}"><img loading="lazy" src="${escapeHtml(f.png!)}" ` +
              `alt="${escapeHtml(f.title)}">${escapeHtml(f.title)}</a></li>`,
          )
          .join('')}</ul>`
      : nb.figures.length > 0
        ? `<p class="figure-links">Figures: ` +
          `${nb.figures.map((f) => `<a href="${escapeHtml(f.href)}">${escapeHtml(f.title)}</a>`).join(' · ')}</p>`
        : '';
  return `<li id="nb-${escapeHtml(nb.stem)}">
<h3><a href="${escapeHtml(nb.href)}">${escapeHtml(nb.title)}</a></h3>
<div class="meta"><code>${escapeHtml(nb.stem)}</code> · ${nb.meta}</div>
${nb.firstParagraph ?? ''}
${figures}
</li>`;
}

export function indexHtml(readme: string | null, notebooks: IndexNotebook[]): string {
  const pages = new Set(notebooks.map((n) => n.stem));
  const table = readme === null ? null : topicsTableMarkdown(readme, pages);
  const topics = table
    ? `<h2 id="topics">Topics</h2>\n${renderMarkdown(table, { slugger: new Slugger(), mathErrors: [], pages })}`
    : '';
  const list = notebooks.length
    ? `<ol class="notebooks">\n${notebooks.map(notebookItem).join('\n')}\n</ol>`
    : '<p>No executed notebooks yet: run <code>npm run notebooks</code>.</p>';
  const body = `<h1>${BOOK_TITLE}: the notebooks</h1>
<p>Every notebook as it last ran with <code>npm run notebooks</code>: prose and maths, code, and its outputs —
interactive figures, tables and sound. Works offline.</p>
${topics}
<h2 id="notebooks">Notebooks</h2>
${list}`;
  return pageHtml({ title: 'The notebooks', body });
}
