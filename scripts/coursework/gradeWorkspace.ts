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
import { listTsFiles, ownerAt } from './markers';
import { BOOK_ASSETS, localImportClosure } from './release';

const SCRIPT_ENTRIES = ['scripts/run-notebooks.ts', 'scripts/notebook-worker.ts'];

export interface Workspace {
  dir: string;
  /** TypeScript errors of the build (the first few, formatted), and their count. */
  buildErrors: string[];
  buildErrorCount: number;
  /** JSON file: exported name → compiled module of the student's lib. */
  modulesFile: string;
  /** Exported name → the lib file declaring it. */
  declarations: Record<string, string>;
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

/** Exported top-level names of every file under `dir/lib` → that file (relative to `dir`). */
function declarationFiles(dir: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const file of listTsFiles(dir, 'lib')) {
    const sf = ts.createSourceFile(file, fs.readFileSync(path.join(dir, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of sf.statements) {
      const exported =
        ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) map[st.name.text] ??= file;
      if (ts.isVariableStatement(st))
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) map[d.name.text] ??= file;
    }
  }
  return map;
}

/** Copies the submission and the instructor's grading material into a fresh temp dir and compiles it. */
export function buildWorkspace(root: string, submission: string, a: Assignment, timeoutS: number): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coursework-grade-'));
  const hasLib = fs.existsSync(path.join(submission, 'lib'));
  if (hasLib)
    fs.cpSync(path.join(submission, 'lib'), path.join(dir, 'lib'), {
      recursive: true,
      filter: (p) => !p.includes(`${path.sep}node_modules`),
    });
  else fs.mkdirSync(path.join(dir, 'lib'));
  if (fs.existsSync(path.join(submission, 'notebooks')))
    fs.cpSync(path.join(submission, 'notebooks'), path.join(dir, 'notebooks'), { recursive: true });
  const testFiles = a.items.flatMap((i) => i.test?.files ?? []);
  const instructorFiles = localImportClosure(root, [
    ...SCRIPT_ENTRIES,
    ...testFiles,
    'test/setup.ts',
    'coursework/checks/runItem.ts',
    'coursework/checks/studentHost.ts',
  ]);
  for (const file of [...instructorFiles, 'package.json', 'tsconfig.json', 'vitest.config.mts']) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  fs.cpSync(path.join(root, BOOK_ASSETS), path.join(dir, BOOK_ASSETS), { recursive: true });
  fs.symlinkSync(path.join(root, 'datasets'), path.join(dir, 'datasets'));
  linkNodeModules(root, dir);
  fs.writeFileSync(
    path.join(dir, 'tsconfig.grade.json'),
    JSON.stringify(
      {
        extends: './tsconfig.json',
        compilerOptions: {
          outDir: 'dist',
          rootDir: '.',
          noEmitOnError: false,
          declaration: true,
          sourceMap: false,
          incremental: false,
        },
        include: ['lib/**/*.ts', 'scripts/**/*.ts', 'coursework/**/*.ts', 'test/ref/**/*.ts'],
      },
      null,
      2,
    ),
  );
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.grade.json', '--pretty', 'false'],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: timeoutS * 1000,
    },
  );
  const errors = (tsc.stdout ?? '').split('\n').filter((l) => /error TS\d+/.test(l));
  const declarations = declarationFiles(dir);
  const modulesFile = path.join(dir, 'modules.json');
  const modules = Object.fromEntries(
    Object.entries(declarations).map(([name, file]) => [name, path.join(dir, 'dist', file.replace(/\.ts$/, '.js'))]),
  );
  fs.writeFileSync(modulesFile, JSON.stringify(modules, null, 1));
  return { dir, buildErrors: errors.slice(0, 10), buildErrorCount: errors.length, modulesFile, declarations, hasLib };
}

/**
 * One grading item's private copy of the build: `dir` holds the submission and the compiled
 * project (what its sandboxed processes may read), `workDir` inside it is the only place
 * they may write, `graderDir` beside it holds what only the grader writes (configuration,
 * reports). `remove` deletes both.
 */
export interface ItemCopy {
  dir: string;
  workDir: string;
  modulesFile: string;
  graderDir: string;
  remove(): void;
}

export function itemCopy(workspace: string, id: string): ItemCopy {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `coursework-item-${id.replace(/[^\w-]/g, '_')}-`));
  const dir = path.join(base, 'submission');
  fs.cpSync(workspace, dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (p) => path.relative(workspace, p) !== 'out',
  });
  const workDir = path.join(dir, 'work');
  const graderDir = path.join(base, 'grader');
  fs.mkdirSync(workDir);
  fs.mkdirSync(graderDir);
  const modules = JSON.parse(fs.readFileSync(path.join(workspace, 'modules.json'), 'utf8')) as Record<string, string>;
  const modulesFile = path.join(dir, 'modules.json');
  const rebased = Object.entries(modules).map(([name, file]) => [name, path.join(dir, path.relative(workspace, file))]);
  fs.writeFileSync(modulesFile, JSON.stringify(Object.fromEntries(rebased), null, 1));
  return { dir, workDir, modulesFile, graderDir, remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}

export interface SyntaxProblem {
  /** lib file, relative to the workspace. */
  file: string;
  /** Top-level declaration (or Class.member) holding the error, if any. */
  owner: string | undefined;
  message: string;
}

/**
 * Syntax errors in the submission's lib. tsc still emits JavaScript from its error-recovered
 * parse (which can even behave like the intended code), so the grader charges them itself:
 * see `itemsHitBySyntax`.
 */
export function syntaxProblems(dir: string): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  for (const file of listTsFiles(dir, 'lib')) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const diagnostics =
      ts.transpileModule(text, {
        fileName: file,
        reportDiagnostics: true,
        compilerOptions: { module: ts.ModuleKind.CommonJS },
      }).diagnostics ?? [];
    if (diagnostics.length === 0) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    for (const d of diagnostics) {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      out.push({
        file,
        owner: ownerAt(sf, d.start ?? 0),
        message:
          `syntax error at ${file}:${line + 1}:${character + 1}: ` +
          `${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      });
    }
  }
  return out;
}

/**
 * The syntax problem that costs an item, if any: one inside a function the item covers, or
 * one outside every graded function in a file that declares a function the item covers.
 */
export function itemHitBySyntax(
  problems: SyntaxProblem[],
  covers: string[],
  allCovered: Set<string>,
  fileOf: (name: string) => string | undefined,
): SyntaxProblem | undefined {
  const top = (n: string): string => n.split('.')[0];
  const mine = new Set(covers.map(top));
  const myFiles = new Set(covers.map((c) => fileOf(top(c))).filter((f): f is string => f !== undefined));
  const covered = new Set([...allCovered].map(top));
  return problems.find(
    (p) =>
      (p.owner !== undefined && mine.has(top(p.owner))) ||
      ((p.owner === undefined || !covered.has(top(p.owner))) && myFiles.has(p.file)),
  );
}
