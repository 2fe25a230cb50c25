/**
 * `out/index.html`: every executed notebook, its figure pages (with PNG thumbnails when
 * rendered) and its audio clips (with players), grouped by notebook, with status and timings.
 * Results are kept in `out/runs.json` so running a subset (`npm run notebooks -- 01`) updates
 * its entries and keeps the others.
 */
import * as fs from 'fs';
import * as path from 'path';
import { escapeHtml } from '../../lib/display/figurePage';

export interface IndexEntry {
  stem: string;
  status: string;
  cells: string;
  seconds: number;
  /** Quick mode (BACKPROP_QUICK=1) or full mode. */
  mode: 'quick' | 'full';
  finishedAt: string;
  /** One line on the failure, when there was one. */
  failure?: string;
  /** Paths relative to the output root. */
  notebook: string;
  figures: { k: number; title: string; html: string; json: string; png?: string }[];
  /** Audio clips (absent in entries recorded before clips were exported). */
  audio?: { k: number; label: string; wav: string }[];
}

/** Merges `entries` into `<out>/runs.json` (dropping entries whose notebook file is gone) and returns all, by name. */
export function updateRuns(out: string, entries: IndexEntry[]): IndexEntry[] {
  const file = path.join(out, 'runs.json');
  const byStem = new Map<string, IndexEntry>();
  if (fs.existsSync(file)) {
    try {
      for (const e of JSON.parse(fs.readFileSync(file, 'utf8')) as IndexEntry[]) byStem.set(e.stem, e);
    } catch {
      // An unreadable record is rebuilt from this run.
    }
  }
  for (const e of entries) byStem.set(e.stem, e);
  const all = [...byStem.values()]
    .filter((e) => fs.existsSync(path.join(out, e.notebook)))
    .sort((a, b) => a.stem.localeCompare(b.stem));
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(all, null, 1) + '\n');
  return all;
}

export function indexHtml(entries: IndexEntry[]): string {
  const sections = entries.map((e) => {
    const figs = e.figures
      .map((f) => {
        const thumb = f.png ? `<img src="${escapeHtml(f.png)}" alt="${escapeHtml(f.title)}" loading="lazy">` : '';
        return (
          `<li><a href="${escapeHtml(f.html)}">${thumb}<span>${f.k}. ${escapeHtml(f.title)}</span></a> ` +
          `<a class="spec" href="${escapeHtml(f.json)}">json</a></li>`
        );
      })
      .join('\n');
    const audio = e.audio ?? [];
    const clips = audio
      .map(
        (a) =>
          `<li><span>${a.k}. ${escapeHtml(a.label)}</span><br><audio controls preload="none" ` +
          `src="${escapeHtml(a.wav)}"></audio> <a class="spec" href="${escapeHtml(a.wav)}">wav</a></li>`,
      )
      .join('\n');
    const failure = e.failure ? `<pre class="failure">${escapeHtml(e.failure)}</pre>` : '';
    const clipCount = audio.length ? ` · ${audio.length} audio clip${audio.length === 1 ? '' : 's'}` : '';
    return `<section>
<h2><a href="${escapeHtml(e.notebook)}">${escapeHtml(e.stem)}</a> <span \
class="status ${e.status === 'ok' ? 'ok' : 'bad'}">${escapeHtml(e.status)}</span></h2>
<p>${escapeHtml(e.cells)} cells · ${e.seconds.toFixed(1)} s · ${e.figures.length} \
figure${e.figures.length === 1 ? '' : 's'}${clipCount} · ${e.mode} mode · run ${escapeHtml(e.finishedAt)}</p>
${failure}
${figs ? `<ul class="figures">\n${figs}\n</ul>` : ''}
${clips ? `<ul class="audio">\n${clips}\n</ul>` : ''}
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>backprop-lab — executed notebooks</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2rem auto; padding: 0 1rem; color: #222; }
h2 { margin-bottom: 0.2rem; }
.status { font-size: 0.8rem; padding: 0.1rem 0.5rem; border-radius: 0.3rem; vertical-align: middle; }
.ok { background: #d8f3dc; color: #1b4332; }
.bad { background: #ffd6d6; color: #7a1010; }
.failure { background: #fff4f4; padding: 0.5rem; overflow-x: auto; }
.figures { list-style: none; padding: 0; display: grid; \
grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 1rem; }
.figures li { border: 1px solid #ddd; border-radius: 0.4rem; padding: 0.5rem; }
.figures img { width: 100%; display: block; margin-bottom: 0.3rem; }
.figures a { text-decoration: none; color: #1a4f8b; }
.spec { font-size: 0.8rem; color: #666; }
.audio { list-style: none; padding: 0; display: grid; \
grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 0.6rem; }
.audio li { border: 1px solid #ddd; border-radius: 0.4rem; padding: 0.5rem; font-size: 0.9rem; }
</style>
</head>
<body>
<h1>backprop-lab — executed notebooks</h1>
<p>Read them as a book, with prose, maths, code and outputs: <a href="book/index.html">book/index.html</a>.</p>
${sections.length ? sections.join('\n') : '<p>No notebooks have been run yet.</p>'}
</body>
</html>
`;
}
