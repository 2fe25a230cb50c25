/**
 * The HTML document around a book page: shared stylesheets, the top bar (book home,
 * previous/next notebook), the table of contents and, on pages with figures, the run's shared
 * plotly.js and the script that draws them. Every link is relative, so the book works
 * from `file://`.
 */
import { escapeHtml } from '../../lib/display/figurePage';
import { ASSETS } from './assets';
import type { Heading } from './markdown';

export const BOOK_TITLE = 'backprop-lab';

export interface NavLink {
  href: string;
  title: string;
}

export interface PageParts {
  title: string;
  body: string;
  /** Table of contents; none when empty. */
  toc?: Heading[];
  prev?: NavLink;
  next?: NavLink;
  /** plotly.js relative to the page, on pages that draw plotly figures; none on the others. */
  plotlyJs?: string;
}

function pager(prev: NavLink | undefined, next: NavLink | undefined, cls: string): string {
  const link = (l: NavLink | undefined, rel: 'prev' | 'next', arrow: string): string =>
    l
      ? `<a rel="${rel}" href="${escapeHtml(l.href)}">` +
        `${rel === 'prev' ? `${arrow} ` : ''}${escapeHtml(l.title)}${rel === 'next' ? ` ${arrow}` : ''}</a>`
      : `<span class="disabled">${rel === 'prev' ? `${arrow} first` : `last ${arrow}`}</span>`;
  return `<nav class="pager ${cls}" aria-label="notebooks">${link(prev, 'prev', '←')}${link(next, 'next', '→')}</nav>`;
}

function tocHtml(toc: Heading[]): string {
  const items = toc
    .map((h) => `<li class="level-${h.level}"><a href="#${escapeHtml(h.id)}">${h.html}</a></li>`)
    .join('\n');
  return `<nav class="toc" aria-label="contents"><h2>Contents</h2><ol>\n${items}\n</ol></nav>`;
}

export function pageHtml(p: PageParts): string {
  const hasPager = p.prev !== undefined || p.next !== undefined;
  const search =
    `<script src="${ASSETS.minisearchJs}"></script>\n<script src="${ASSETS.searchIndexJs}"></script>\n` +
    `<script src="${ASSETS.searchJs}"></script>\n`;
  const scripts =
    (p.plotlyJs
      ? `<script src="${escapeHtml(p.plotlyJs)}"></script>\n<script src="${ASSETS.bookJs}"></script>\n`
      : '') + search;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)} — ${BOOK_TITLE}</title>
<link rel="stylesheet" href="${ASSETS.katexCss}">
<link rel="stylesheet" href="${ASSETS.highlightCss}">
<link rel="stylesheet" href="${ASSETS.bookCss}">
</head>
<body>
<header class="topbar"><a class="home" href="index.html">${BOOK_TITLE} — the notebooks</a>\
<div class="search"><input type="search" id="book-search" placeholder="Search the book" aria-label="Search the book">\
<ol id="book-search-results"></ol></div>\
${hasPager ? pager(p.prev, p.next, 'top-pager') : ''}</header>
<div class="layout">
${p.toc && p.toc.length > 0 ? tocHtml(p.toc) : ''}
<main>
${p.body}
${hasPager ? pager(p.prev, p.next, 'bottom-pager') : ''}
</main>
</div>
${scripts}</body>
</html>
`;
}
