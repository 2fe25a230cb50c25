/**
 * Notebook markdown → HTML: markdown-it (CommonMark + tables, inline HTML allowed as in
 * Jupyter), maths by KaTeX at build time (see math.ts), fenced code highlighted, headings
 * given ids and collected for the table of contents, and links to another notebook
 * (`01_rnn_backprop.ipynb#…`) pointed at its page in the book.
 */
import MarkdownIt from 'markdown-it';

import { highlightCode } from './highlight';
import { mathAsTex, MathError, protectMath, restoreMath } from './math';

const md = new MarkdownIt({
  html: true,
  linkify: false,
  typographer: false,
  highlight: (code, lang) => `<pre class="hljs"><code>${highlightCode(code, lang || 'typescript')}</code></pre>`,
});

type Token = ReturnType<typeof md.parse>[number];

export interface Heading {
  level: number;
  id: string;
  /** The heading's inline HTML (maths rendered). */
  html: string;
  /** Its plain text, maths as TeX source (for `<title>` and ids). */
  text: string;
}

/** Ids unique within one page, made from heading text. */
export class Slugger {
  private readonly used = new Map<string, number>();

  slug(text: string): string {
    const base =
      text
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'section';
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}-${n + 1}`;
  }
}

/** What rendering markdown for one page shares: ids, collected headings, maths failures, pages that exist. */
export interface MarkdownContext {
  slugger: Slugger;
  /** Headings are collected here when given (markdown cells), not for markdown outputs. */
  headings?: Heading[];
  mathErrors: MathError[];
  /** Stems of notebooks that have a page in the book. */
  pages: ReadonlySet<string>;
}

const NOTEBOOK_LINK = /^(?:\.\/)?([^/#?]+)\.ipynb(#.*)?$/;

/**
 * A link to another notebook points at its page; when the book has no page for it (a
 * subset was run), the link becomes plain text rather than a dead link.
 */
function rewriteNotebookLinks(children: Token[] | null, pages: ReadonlySet<string>): void {
  const tokens = children ?? [];
  tokens.forEach((t, i) => {
    if (t.type !== 'link_open') return;
    const m = NOTEBOOK_LINK.exec(String(t.attrGet('href') ?? ''));
    if (!m) return;
    if (pages.has(m[1])) {
      t.attrSet('href', `${encodeURIComponent(m[1])}.html${m[2] ?? ''}`);
      return;
    }
    const close = tokens.slice(i + 1).find((c) => c.type === 'link_close' && c.level === t.level);
    t.tag = 'span';
    t.attrs = [
      ['class', 'missing-page'],
      ['title', `${m[1]} has not been run into this book`],
    ];
    if (close) close.tag = 'span';
  });
}

/** Plain text of an inline token (for ids): text and code, no markup. */
function plainText(inline: Token): string {
  return (inline.children ?? [])
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');
}

/** Renders one markdown source (a cell or a `text/markdown` output). */
export function renderMarkdown(source: string, ctx: MarkdownContext): string {
  const { markdown, math } = protectMath(source);
  const env = {};
  const tokens = md.parse(markdown, env);
  tokens.forEach((t, i) => {
    if (t.type === 'inline') rewriteNotebookLinks(t.children, ctx.pages);
    if (t.type !== 'heading_open') return;
    const inline = tokens[i + 1];
    const text = mathAsTex(plainText(inline), math).trim();
    const id = ctx.slugger.slug(text);
    t.attrSet('id', id);
    const html = restoreMath(md.renderer.renderInline(inline.children ?? [], md.options, env), math, []);
    ctx.headings?.push({ level: Number(t.tag.slice(1)), id, html, text });
  });
  return restoreMath(md.renderer.render(tokens, md.options, env), math, ctx.mathErrors);
}
