/**
 * Replaces every solution region of the library with a stub that type-checks and throws
 *
 *     // TODO(rnnForward): your code here — see notebook 01, section 3.
 *     let h!: tf.Tensor<tf.Rank>;          ← what the code after the region reads
 *     void [xRows, WxT];                   ← what only the solution read (keeps noUnusedLocals quiet)
 *     throw new Error('TODO: rnnForward — see notebook 01, section 3');
 *
 * so the code after the region (the cache it builds, the return) stays in place, unreachable,
 * and the stubbed library still compiles under the project's tsconfig (strict, noUnusedLocals,
 * noUnusedParameters). Variables a region declares and later code reads are re-declared with
 * their type from the type checker; names that become unused (locals, parameters, helpers,
 * imports) are found by type-checking the stubbed library and either kept alive in the stub
 * (`void [...]`) or, for imports, removed. Any other compile error stops the release.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { Region } from './markers';

/** TypeScript diagnostics that report a declaration nobody reads. */
const UNUSED_CODES = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205]);

export interface StubPlan {
  region: Region;
  /** The TODO message thrown by the stub (without the `TODO: ` prefix). */
  message: string;
}

interface RegionEdits {
  carried: { name: string; type: string }[];
  keepAlive: Set<string>;
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = path.join(root, 'tsconfig.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
  return { ...parsed.options, noEmit: true, incremental: false, declaration: false, sourceMap: false };
}

/** Parsed files that no stub changes (the library's other files, node_modules typings), shared by every round. */
const parsedFiles = new Map<string, ts.SourceFile | undefined>();

/** A program over `files` (absolute paths) where `overrides` replace file contents. */
function makeProgram(
  files: string[],
  options: ts.CompilerOptions,
  overrides: Map<string, string>,
  old?: ts.Program,
): ts.Program {
  const host = ts.createCompilerHost(options, true);
  const read = host.readFile.bind(host);
  host.readFile = (f) => overrides.get(path.resolve(f)) ?? read(f);
  const getSf = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError) => {
    const text = overrides.get(path.resolve(f));
    if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
    if (!parsedFiles.has(f)) parsedFiles.set(f, getSf(f, lang, onError));
    return parsedFiles.get(f);
  };
  host.fileExists = (
    (exists) => (f: string) =>
      overrides.has(path.resolve(f)) || exists(f)
  )(host.fileExists.bind(host));
  return ts.createProgram(files, options, host, old);
}

/** The statement list holding the region's statements, and those statements. */
function regionStatements(sf: ts.SourceFile, r: Region): { inside: ts.Statement[]; after: ts.Statement[] } {
  let found: { inside: ts.Statement[]; after: ts.Statement[] } | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const list = (node as { statements?: ts.NodeArray<ts.Statement> }).statements;
    if (
      list &&
      (ts.isBlock(node) ||
        ts.isSourceFile(node) ||
        ts.isCaseClause(node) ||
        ts.isDefaultClause(node) ||
        ts.isModuleBlock(node))
    ) {
      const inside = list.filter((s) => s.getStart(sf) >= r.start && s.end <= r.end);
      if (inside.length > 0) {
        found = { inside, after: list.filter((s) => s.getStart(sf) > r.end) };
        return;
      }
    }
    node.forEachChild(visit);
  };
  visit(sf);
  if (!found) throw new Error(`${r.file}:${r.beginLine}: solution region of ${r.owner} holds no statement`);
  return found;
}

function bindingNames(name: ts.BindingName, out: ts.Identifier[]): ts.Identifier[] {
  if (ts.isIdentifier(name)) out.push(name);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
  return out;
}

function identifiersIn(nodes: readonly ts.Node[]): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) names.add(n.text);
    n.forEachChild(visit);
  };
  nodes.forEach(visit);
  return names;
}

/** Variables declared at the top of the region that the code after it reads, with a type to re-declare them. */
function carriedVariables(checker: ts.TypeChecker, sf: ts.SourceFile, r: Region): { name: string; type: string }[] {
  const { inside, after } = regionStatements(sf, r);
  const usedAfter = identifiersIn(after);
  const carried: { name: string; type: string }[] = [];
  for (const st of inside) {
    if (!ts.isVariableStatement(st)) continue;
    for (const decl of st.declarationList.declarations) {
      for (const id of bindingNames(decl.name, [])) {
        if (!usedAfter.has(id.text)) continue;
        let type = ts.isIdentifier(decl.name) && decl.type ? decl.type.getText(sf) : '';
        if (!type) {
          type = checker.typeToString(
            checker.getTypeAtLocation(id),
            id,
            ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope,
          );
          if (type.includes('import(') || type === 'any') type = 'any';
        }
        carried.push({ name: id.text, type });
      }
    }
  }
  return carried;
}

function stubLines(r: Region, message: string, edits: RegionEdits): string {
  const lines = [`// TODO(${r.owner}): your code here — ${message.replace(/^[^—]*— /, '')}.`];
  for (const c of edits.carried) lines.push(`let ${c.name}!: ${c.type};`);
  if (edits.keepAlive.size > 0)
    lines.push(`void [${[...edits.keepAlive].join(', ')}]; // given: use them in your code`);
  lines.push(`throw new Error(${JSON.stringify(`TODO: ${message}`).replace(/^"|"$/g, "'").replace(/\\"/g, '"')});`);
  return lines.map((l) => r.indent + l).join('\n');
}

function applyStubs(text: string, plans: StubPlan[], edits: RegionEdits[]): string {
  let out = '';
  let at = 0;
  plans.forEach((p, k) => {
    out += text.slice(at, p.region.start) + stubLines(p.region, p.message, edits[k]);
    at = p.region.end;
  });
  return out + text.slice(at);
}

/** Drops the named bindings in `unused` from the file's import declarations (the whole import when none is left). */
function dropImports(file: string, text: string, unused: Set<string>): string {
  if (unused.size === 0) return text;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  let out = text;
  for (const st of [...sf.statements].reverse()) {
    if (!ts.isImportDeclaration(st) || !st.importClause) continue;
    const clause = st.importClause;
    const named =
      clause.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
    const defaultName = clause.name?.text;
    const nsName =
      clause.namedBindings && ts.isNamespaceImport(clause.namedBindings) ? clause.namedBindings.name.text : undefined;
    const keptNamed = named?.filter((e) => !unused.has(e.name.text)) ?? [];
    const keepDefault = defaultName !== undefined && !unused.has(defaultName);
    const keepNs = nsName !== undefined && !unused.has(nsName);
    if (
      keptNamed.length === (named?.length ?? 0) &&
      keepDefault === (defaultName !== undefined) &&
      keepNs === (nsName !== undefined)
    )
      continue;
    let replacement = '';
    if (keepDefault || keepNs || keptNamed.length > 0) {
      const parts: string[] = [];
      if (keepDefault) parts.push(defaultName as string);
      if (keepNs) parts.push(`* as ${nsName}`);
      if (keptNamed.length > 0) parts.push(`{ ${keptNamed.map((e) => e.getText(sf)).join(', ')} }`);
      const typeOnly = clause.isTypeOnly ? 'type ' : '';
      replacement = `import ${typeOnly}${parts.join(', ')} from ${st.moduleSpecifier.getText(sf)};`;
    }
    out = out.slice(0, st.getStart(sf)) + replacement + out.slice(st.end);
  }
  return out;
}

/** The declaration a diagnostic points at: its names, the scope it lives in and whether it is an import. */
function unusedDeclaration(
  sf: ts.SourceFile,
  pos: number,
): { names: string[]; scope: ts.Node; declEnd: number; isImport: boolean; moduleLevel: boolean } | null {
  let node: ts.Node | undefined;
  const find = (n: ts.Node): void => {
    if (n.getStart(sf) <= pos && pos < n.end) {
      node = n;
      n.forEachChild(find);
    }
  };
  find(sf);
  for (let n = node; n; n = n.parent) {
    if (ts.isImportDeclaration(n)) {
      const names = identifiersIn([n.importClause as ts.Node]);
      const hit = node && ts.isIdentifier(node) ? [node.text] : [...names];
      return { names: hit, scope: sf, declEnd: n.end, isImport: true, moduleLevel: true };
    }
    if (
      ts.isParameter(n) ||
      ts.isVariableDeclaration(n) ||
      ts.isVariableDeclarationList(n) ||
      ts.isFunctionDeclaration(n) ||
      ts.isBindingElement(n)
    ) {
      const names =
        node && ts.isIdentifier(node) && !ts.isVariableDeclarationList(n)
          ? [node.text]
          : ts.isVariableDeclarationList(n)
            ? n.declarations.flatMap((d) => bindingNames(d.name, []).map((i) => i.text))
            : ts.isFunctionDeclaration(n)
              ? [n.name?.text ?? '']
              : bindingNames((n as ts.ParameterDeclaration).name, []).map((i) => i.text);
      let scope: ts.Node = n.parent;
      while (scope && !ts.isBlock(scope) && !ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
      const moduleLevel = ts.isSourceFile(scope) || (ts.isFunctionDeclaration(n) && ts.isSourceFile(n.parent));
      return {
        names,
        scope: ts.isFunctionDeclaration(n) ? n.parent : scope,
        declEnd: n.end,
        isImport: false,
        moduleLevel,
      };
    }
  }
  return null;
}

function formatDiagnostic(d: ts.Diagnostic): string {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return msg;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName}:${line + 1}:${character + 1} TS${d.code}: ${msg}`;
}

/**
 * Stubbed texts of every file under `root/lib` that holds a planned region (path relative to
 * root → text). Throws with the compiler's messages when the stubbed library does not compile.
 */
export function stubLibrary(root: string, libFiles: string[], plans: StubPlan[]): Map<string, string> {
  const options = compilerOptions(root);
  const abs = (f: string): string => path.resolve(root, f);
  const original = makeProgram(libFiles.map(abs), options, new Map());
  const checker = original.getTypeChecker();
  const byFile = new Map<string, StubPlan[]>();
  for (const p of plans) byFile.set(p.region.file, [...(byFile.get(p.region.file) ?? []), p]);
  const edits = new Map<string, RegionEdits[]>();
  for (const [file, ps] of byFile) {
    const sf = original.getSourceFile(abs(file));
    if (!sf) throw new Error(`stub: ${file} is not part of the program`);
    edits.set(
      file,
      ps.map((p) => ({ carried: carriedVariables(checker, sf, p.region), keepAlive: new Set<string>() })),
    );
  }
  const unusedImports = new Map<string, Set<string>>();
  let previous: ts.Program = original;
  for (let round = 0; round < 6; round++) {
    const texts = new Map<string, string>();
    for (const [file, ps] of byFile) {
      texts.set(
        file,
        dropImports(
          file,
          applyStubs(fs.readFileSync(abs(file), 'utf8'), ps, edits.get(file) as RegionEdits[]),
          unusedImports.get(file) ?? new Set(),
        ),
      );
    }
    const overrides = new Map([...texts].map(([f, t]) => [abs(f), t]));
    const program = makeProgram(libFiles.map(abs), options, overrides, previous);
    previous = program;
    // Only the stubbed files can gain errors: their exported signatures are unchanged.
    const diagnostics = [...texts.keys()].flatMap((f) => {
      const sf = program.getSourceFile(abs(f)) as ts.SourceFile;
      return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    });
    const fatal = diagnostics.filter(
      (d) =>
        !UNUSED_CODES.has(d.code) ||
        !d.file ||
        !texts.has(path.relative(root, d.file.fileName).split(path.sep).join('/')),
    );
    if (fatal.length > 0)
      throw new Error(`the stubbed library does not compile:\n${fatal.slice(0, 20).map(formatDiagnostic).join('\n')}`);
    const unused = diagnostics.filter((d) => !fatal.includes(d));
    if (unused.length === 0) return texts;
    for (const d of unused) {
      const file = path
        .relative(root, (d.file as ts.SourceFile).fileName)
        .split(path.sep)
        .join('/');
      const sf = d.file as ts.SourceFile;
      const decl = unusedDeclaration(sf, d.start ?? 0);
      if (!decl) throw new Error(`stub: cannot resolve an unused declaration: ${formatDiagnostic(d)}`);
      if (decl.isImport) {
        unusedImports.set(file, new Set([...(unusedImports.get(file) ?? []), ...decl.names]));
        continue;
      }
      // The first stub (in file order) inside the declaration's scope and after it.
      const stubStarts: number[] = [];
      const re = /throw new Error\('TODO: /g;
      for (let m = re.exec(sf.text); m; m = re.exec(sf.text)) stubStarts.push(m.index);
      const k = stubStarts.findIndex(
        (s) => s >= decl.scope.getStart(sf) && s < decl.scope.end && (decl.moduleLevel || s > decl.declEnd),
      );
      if (k < 0)
        throw new Error(`stub: no stub in scope to keep '${decl.names.join(', ')}' alive: ${formatDiagnostic(d)}`);
      decl.names.forEach((n) => (edits.get(file) as RegionEdits[])[k].keepAlive.add(n));
    }
  }
  throw new Error('stub: the unused-declaration fixes did not converge');
}
