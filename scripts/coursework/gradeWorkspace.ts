/**
 * The isolated build a submission is graded in: a temporary project holding the student's
 * `lib/` and notebooks, and the instructor's checks, tests, references, runner and config.
 * `node_modules` is the instructor's, entry by entry through symlinks (no network), except
 * `backprop-lab`, which points at the workspace itself so the student's notebooks import the
 * student's compiled library. The build never stops on type errors: tsc emits what it can
 * and the errors are reported, so a broken file costs only the items that load it.
 * Declarations are emitted too: tslab type-checks notebook cells against dist/lib/*.d.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { Assignment } from './assignments';
import { listTsFiles } from './markers';
import { localImportClosure } from './release';

const SCRIPT_ENTRIES = ['scripts/run-notebooks.ts', 'scripts/notebook-worker.ts'];

export interface Workspace {
  dir: string;
  /** TypeScript errors of the build (the first few, formatted), and their count. */
  buildErrors: string[];
  buildErrorCount: number;
  /** JSON file: exported name → compiled module of the student's lib. */
  modulesFile: string;
  hasLib: boolean;
}

function linkNodeModules(root: string, dir: string): void {
  const src = path.join(root, 'node_modules');
  const dst = path.join(dir, 'node_modules');
  fs.mkdirSync(dst);
  for (const entry of fs.readdirSync(src)) {
    if (entry === 'backprop-lab') continue;
    fs.symlinkSync(path.join(src, entry), path.join(dst, entry));
  }
  fs.symlinkSync('..', path.join(dst, 'backprop-lab'));
}

/** Exported top-level names of every file under `dir/lib` → that file's compiled module. */
function moduleMap(dir: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const file of listTsFiles(dir, 'lib')) {
    const sf = ts.createSourceFile(file, fs.readFileSync(path.join(dir, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const js = path.join(dir, 'dist', file.replace(/\.ts$/, '.js'));
    for (const st of sf.statements) {
      const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) map[st.name.text] ??= js;
      if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) map[d.name.text] ??= js;
    }
  }
  return map;
}

/** Copies the submission and the instructor's grading material into a fresh temp dir and compiles it. */
export function buildWorkspace(root: string, submission: string, a: Assignment, timeoutS: number): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coursework-grade-'));
  const hasLib = fs.existsSync(path.join(submission, 'lib'));
  if (hasLib) fs.cpSync(path.join(submission, 'lib'), path.join(dir, 'lib'), { recursive: true, filter: (p) => !p.includes(`${path.sep}node_modules`) });
  else fs.mkdirSync(path.join(dir, 'lib'));
  if (fs.existsSync(path.join(submission, 'notebooks'))) fs.cpSync(path.join(submission, 'notebooks'), path.join(dir, 'notebooks'), { recursive: true });
  const testFiles = a.items.flatMap((i) => i.test?.files ?? []);
  const instructorFiles = localImportClosure(root, [...SCRIPT_ENTRIES, ...testFiles, 'test/setup.ts', 'coursework/checks/runItem.ts']);
  for (const file of [...instructorFiles, 'package.json', 'tsconfig.json', 'vitest.config.mts']) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(root, 'datasets'), path.join(dir, 'datasets'));
  linkNodeModules(root, dir);
  fs.writeFileSync(path.join(dir, 'tsconfig.grade.json'), JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { outDir: 'dist', rootDir: '.', noEmitOnError: false, declaration: true, sourceMap: false, incremental: false },
    include: ['lib/**/*.ts', 'scripts/**/*.ts', 'coursework/**/*.ts', 'test/ref/**/*.ts'],
  }, null, 2));
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.grade.json', '--pretty', 'false'], {
    cwd: dir, encoding: 'utf8', timeout: timeoutS * 1000,
  });
  const errors = (tsc.stdout ?? '').split('\n').filter((l) => /error TS\d+/.test(l));
  const modulesFile = path.join(dir, 'modules.json');
  fs.writeFileSync(modulesFile, JSON.stringify(moduleMap(dir), null, 1));
  return { dir, buildErrors: errors.slice(0, 10), buildErrorCount: errors.length, modulesFile, hasLib };
}
