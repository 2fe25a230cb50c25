/**
 * LaTeX in notebook markdown, rendered at build time with KaTeX. Markdown would mangle TeX
 * (`_` and `*` become emphasis, `\\` an escaped backslash, `|` a table cell), so math is cut
 * out first and replaced by placeholders, and the rendered HTML is put back afterwards.
 *
 * Recognised, outside code spans and fenced code:
 *   display  `$$…$$`, `\[…\]`, `\begin{env}…\end{env}`;
 *   inline   `$…$` (the opening `$` followed by a non-space, the closing one preceded by a
 *            non-space and not followed by a digit, as in Pandoc — so "$5 and $6" stays text —
 *            and never across a code span or a blank line)
 *            and `\(…\)`.
 * `\$` is a literal dollar.
 */
import katex from 'katex';
import { escapeHtml } from '../../lib/display/figurePage';

export interface MathSpan {
  tex: string;
  display: boolean;
}

/** Markdown with math replaced by placeholders, and the math in placeholder order. */
export interface ProtectedMarkdown {
  markdown: string;
  math: MathSpan[];
}

/** A KaTeX failure: the TeX and KaTeX's message. */
export interface MathError {
  tex: string;
  message: string;
}

const placeholder = (i: number): string => `KATEXMATH${i}X`;
const PLACEHOLDER = /KATEXMATH(\d+)X/g;

/** Index of the closing delimiter `close` after `from`, not crossing a blank line; -1 if none. */
function findClose(text: string, close: string, from: number): number {
  const end = text.indexOf(close, from);
  if (end < 0) return -1;
  return /\n[ \t]*\n/.test(text.slice(from, end)) ? -1 : end;
}

/** End of the inline `$…$` opened at `i` (index of the closing `$`), or -1. */
function inlineDollarEnd(text: string, i: number): number {
  if (/\s/.test(text[i + 1] ?? ' ')) return -1;
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === '`' || (c === '\n' && /^\n[ \t]*\n/.test(text.slice(j)))) return -1; // no math across code or paragraphs
    if (c === '$') {
      if (j === i + 1 || /\s/.test(text[j - 1]) || /\d/.test(text[j + 1] ?? '')) return -1;
      return j;
    }
  }
  return -1;
}

/** Replaces every math span of `markdown` (see the module comment) by a placeholder. */
export function protectMath(markdown: string): ProtectedMarkdown {
  const math: MathSpan[] = [];
  let out = '';
  let i = 0;
  const take = (tex: string, display: boolean, next: number): void => {
    out += placeholder(math.length);
    math.push({ tex, display });
    i = next;
  };
  while (i < markdown.length) {
    const rest = markdown.slice(i);
    const atLineStart = i === 0 || markdown[i - 1] === '\n';
    const fence = atLineStart ? /^[ \t]{0,3}(`{3,}|~{3,})/.exec(rest) : null;
    if (fence) {
      // A fenced code block runs to a closing fence of the same kind (or the end).
      const closing = new RegExp(
        `\\n[ \\t]{0,3}${fence[1][0] === '`' ? '`' : '~'}{${fence[1].length},}[ \\t]*(?=\\n|$)`,
      );
      const m = closing.exec(rest.slice(fence[0].length));
      const len = m ? fence[0].length + m.index + m[0].length : rest.length;
      out += rest.slice(0, len);
      i += len;
      continue;
    }
    const c = markdown[i];
    if (c === '`') {
      // A code span: a run of backticks up to the next run of the same length.
      const run = /^`+/.exec(rest)![0];
      const end = rest.slice(run.length).search(new RegExp(`(?<!\`)${run}(?!\`)`));
      const len = end < 0 ? run.length : run.length + end + run.length;
      out += rest.slice(0, len);
      i += len;
      continue;
    }
    if (c === '\\' && rest[1] === '$') {
      out += '\\$';
      i += 2;
      continue;
    }
    if (rest.startsWith('$$')) {
      const end = findClose(markdown, '$$', i + 2);
      if (end >= 0) {
        take(markdown.slice(i + 2, end), true, end + 2);
        continue;
      }
    } else if (c === '$') {
      const end = inlineDollarEnd(markdown, i);
      if (end >= 0) {
        take(markdown.slice(i + 1, end), false, end + 1);
        continue;
      }
    } else if (rest.startsWith('\\[') || rest.startsWith('\\(')) {
      const display = rest[1] === '[';
      const end = findClose(markdown, display ? '\\]' : '\\)', i + 2);
      if (end >= 0) {
        take(markdown.slice(i + 2, end), display, end + 2);
        continue;
      }
    } else if (rest.startsWith('\\begin{')) {
      const env = /^\\begin\{([A-Za-z*]+)\}/.exec(rest);
      const close = env ? `\\end{${env[1]}}` : '';
      const end = env ? findClose(markdown, close, i) : -1;
      if (end >= 0) {
        take(markdown.slice(i, end + close.length), true, end + close.length);
        continue;
      }
    }
    out += c;
    i += 1;
  }
  return { markdown: out, math };
}

/** KaTeX HTML for one span; a failure is recorded in `errors` and shown as the TeX source, marked. */
export function renderMath(span: MathSpan, errors: MathError[]): string {
  try {
    return katex.renderToString(span.tex, {
      displayMode: span.display,
      throwOnError: true,
      strict: 'ignore',
      output: 'htmlAndMathml',
    });
  } catch (e) {
    const message = (e as Error).message;
    errors.push({ tex: span.tex, message });
    return `<code class="math-error" title="${escapeHtml(message)}">${escapeHtml(span.tex)}</code>`;
  }
}

/**
 * Puts rendered math back into the HTML markdown-it made of protected markdown. A display
 * span that became a paragraph of its own replaces the whole `<p>`, so no block sits in a `<p>`.
 */
export function restoreMath(html: string, math: MathSpan[], errors: MathError[]): string {
  const rendered = math.map((span) => renderMath(span, errors));
  return (
    html
      .replace(/<p>\s*KATEXMATH(\d+)X\s*<\/p>/g, (whole, k: string) =>
        math[Number(k)]?.display ? rendered[Number(k)] : whole,
      )
      // Inline maths stays on one line with the punctuation touching it: "(shape $[N, H]$)," must not break before ")".
      .replace(/([(\[{‘“]*)KATEXMATH(\d+)X([)\]}.,;:!?’”]*)/g, (whole, before: string, k: string, after: string) => {
        const html = rendered[Number(k)];
        if (html === undefined) return whole;
        return before || after ? `<span class="nowrap">${before}${html}${after}</span>` : html;
      })
  );
}

/** `text` with every placeholder replaced by its TeX source (for slugs and plain-text titles). */
export function mathAsTex(text: string, math: MathSpan[]): string {
  return text.replace(PLACEHOLDER, (whole, k: string) => math[Number(k)]?.tex ?? whole);
}
