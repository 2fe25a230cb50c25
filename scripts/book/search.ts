/**
 * The book's search: every page's text cut into sections (at its `<h2>` headings), written as
 * `assets/search-index.js` (a script, not JSON, because pages opened from file:// may not
 * fetch), which every page loads with MiniSearch (a well-kept client-side search library,
 * copied into the book) and assets/search.js, the box in the top bar.
 */
import { scriptJson } from '../../lib/display/figurePage';

export interface SearchDoc {
  /** `<page>.html#<section id>`: where a result links. */
  href: string;
  /** The page's title and the section's heading. */
  title: string;
  text: string;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The readable text of some HTML: no tags, scripts, styles or maths markup, entities decoded, spaces collapsed. */
export function htmlText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<annotation[\s\S]*?<\/annotation>/gi, ' ')
    .replace(/<span class="katex-mathml">[\s\S]*?<\/span>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e])
    .replace(/\s+/g, ' ')
    .trim();
}

/** The sections of one rendered page (text before the first `<h2>` under the page's title). */
export function pageSearchDocs(page: { stem: string; title: string; body: string }): SearchDoc[] {
  const href = `${encodeURIComponent(page.stem)}.html`;
  const parts = page.body.split(/(?=<h2[^>]*\sid=")/);
  return parts.flatMap((part) => {
    const heading = /^<h2[^>]*\sid="([^"]+)"[^>]*>([\s\S]*?)<\/h2>/.exec(part);
    const text = htmlText(heading ? part.slice(heading[0].length) : part);
    if (text === '') return [];
    return [
      {
        href: heading ? `${href}#${heading[1]}` : href,
        title: heading ? `${page.title} — ${htmlText(heading[2])}` : page.title,
        text,
      },
    ];
  });
}

/** assets/search-index.js: the documents as a global the search box reads. */
export function searchIndexScript(docs: readonly SearchDoc[]): string {
  return `window.BOOK_SEARCH_DOCS = ${scriptJson(docs)};\n`;
}
