/**
 * The house drawn from the code's own imports: lib/'s folders form layers, and every import runs
 * down (or stays in its folder); lib/models/ holds one folder per notebook topic; coursework code
 * does not import the test suite; the flat namespace stays small; no source line is wider than
 * Prettier's printWidth.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { util as prettierUtil } from 'prettier';
import { describe, expect, it } from 'vitest';
import * as bp from '../lib';

const ROOT = path.resolve(__dirname, '..');

/** lib/'s folders from the bottom up; a folder may import only from its own layer's folders or lower. */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['ops'],
  ['layers', 'audio', 'optim', 'metrics', 'kernels'],
  ['losses', 'analysis', 'display', 'backend'],
  ['decode', 'experiments'],
  ['data'],
  ['train'],
  [
    'models/sequenceTasks',
    'models/captioning',
    'models/listener',
    'models/multilabel',
    'models/multimodal',
    'models/latent',
  ],
  ['models/tacotron2'],
];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of `file`, resolved to project files. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*'(\.{1,2}\/[^']*)'/g)].map((m) => {
    const base = path.resolve(path.dirname(file), m[1]);
    return fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts');
  });
}

/** .prettierrc.json's printWidth: Prettier wraps code to it but not strings or comments, so this test does. */
const MAX_COLUMNS = 120;

/** The git-tracked .ts files under lib/, scripts/, test/ and coursework/ (relative to ROOT) that exist. */
function trackedTsFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', 'lib', 'scripts', 'test', 'coursework'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out.split('\0').filter((f) => f.endsWith('.ts') && fs.existsSync(path.join(ROOT, f)));
}

/** `where (width)` for every line of `text` wider than MAX_COLUMNS, in columns as Prettier counts them. */
function wideLines(text: string, where: (line: number) => string): string[] {
  return text.split('\n').flatMap((line, i) => {
    const width = prettierUtil.getStringWidth(line);
    return width > MAX_COLUMNS ? [`${where(i + 1)} (${width})`] : [];
  });
}

const folderOf = (file: string): string =>
  path.relative(path.join(ROOT, 'lib'), path.dirname(file)).split(path.sep).join('/');
const layerOf = (folder: string): number => LAYERS.findIndex((l) => l.includes(folder));

describe('layout', () => {
  it('every lib/ folder has a layer and every import runs down or stays in its folder', () => {
    const upward: string[] = [];
    for (const file of tsFiles(path.join(ROOT, 'lib'))) {
      const from = folderOf(file);
      if (from === '') continue; // lib/index.ts assembles the API
      expect(layerOf(from), `lib/${from} is not in the test's LAYERS`).toBeGreaterThanOrEqual(0);
      for (const target of importsOf(file)) {
        const to = folderOf(target);
        if (to !== from && layerOf(to) >= layerOf(from)) upward.push(`${path.relative(ROOT, file)} → lib/${to}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('lib/models/ holds only topic folders, each with an index.ts', () => {
    const entries = fs.readdirSync(path.join(ROOT, 'lib/models'), { withFileTypes: true });
    expect(entries.filter((e) => !e.isDirectory()).map((e) => e.name)).toEqual([]);
    for (const e of entries)
      expect(fs.existsSync(path.join(ROOT, 'lib/models', e.name, 'index.ts')), e.name).toBe(true);
  });

  it('coursework code does not import the test suite', () => {
    const offending = tsFiles(path.join(ROOT, 'coursework')).filter((f) =>
      importsOf(f).some((t) => t.startsWith(path.join(ROOT, 'test') + path.sep)),
    );
    expect(offending).toEqual([]);
  });

  it('no line of the .ts sources or of a notebook code cell is wider than 120 columns', () => {
    const files = trackedTsFiles();
    expect(files.length).toBeGreaterThan(100);
    const wide = files.flatMap((f) => wideLines(fs.readFileSync(path.join(ROOT, f), 'utf8'), (n) => `${f}:${n}`));
    const dir = path.join(ROOT, 'notebooks');
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb'))) {
      const nb = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as {
        cells: { cell_type: string; id?: string; source: string | string[] }[];
      };
      nb.cells.forEach((c, i) => {
        if (c.cell_type !== 'code') return;
        const source = Array.isArray(c.source) ? c.source.join('') : c.source;
        wide.push(...wideLines(source, (n) => `notebooks/${name} cell ${c.id ?? `#${i}`}:${n}`));
      });
    }
    expect(wide).toEqual([]);
  });

  it('every notebook cell has an id, unique in its notebook (nbformat 4.5; Jupyter warns without one)', () => {
    const dir = path.join(ROOT, 'notebooks');
    const problems: string[] = [];
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb'))) {
      const nb = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { cells: { id?: string }[] };
      const seen = new Set<string>();
      nb.cells.forEach((c, i) => {
        if (typeof c.id !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(c.id))
          problems.push(`${name} cell #${i}: no valid id`);
        else if (seen.has(c.id)) problems.push(`${name} cell #${i}: id ${c.id} repeated`);
        else seen.add(c.id);
      });
    }
    expect(problems).toEqual([]);
  });

  it('the flat namespace holds the teaching core; topics are namespaces', () => {
    const namespaces = ['audio', 'data', 'display', 'kernels', 'metrics'];
    const topics = ['sequenceTasks', 'captioning', 'listener', 'tacotron', 'multilabel', 'multimodal', 'latent'];
    for (const ns of [...namespaces, ...topics]) expect(typeof (bp as Record<string, unknown>)[ns], ns).toBe('object');
    const flatValues = Object.keys(bp).filter((k) => ![...namespaces, ...topics].includes(k));
    expect(flatValues.length).toBeLessThanOrEqual(200);
    expect(bp.tacotron.init).toBeTypeOf('function');
    expect('initTacotron2' in bp).toBe(false);
  });
});
