/**
 * Syntax highlighting for the book's code: highlight.js with only the languages notebooks
 * use (cells are TypeScript; markdown may fence JSON, shell or Python), styled by the theme
 * copied into the book's assets.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import { escapeHtml } from '../../lib/display/figurePage';

hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('python', python);

/** The highlight.js theme (a file of highlight.js's `styles/`) the book ships. */
export const HIGHLIGHT_THEME = 'github.min.css';

/** Highlighted HTML of `code` (no `<pre>`); plain escaped text for an unknown language. */
export function highlightCode(code: string, language = 'typescript'): string {
  const lang = language.trim().toLowerCase();
  if (!lang || !hljs.getLanguage(lang)) return escapeHtml(code);
  return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
}
