/**
 * Finds the solution regions of the library: the lines between `// BEGIN SOLUTION` and
 * `// END SOLUTION`, and the function each one belongs to, by parsing every `lib/**.ts` file
 * with the TypeScript compiler API. Files are never named in the assignments file: a region
 * belongs to its top-level declaration's name (`rnnStepForward`), or `Class.method` for a
 * class member (`CaptioningRNN.forward`), wherever that declaration lives today.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export const BEGIN_MARKER = '// BEGIN SOLUTION';
export const END_MARKER = '// END SOLUTION';

export interface Region {
  /** Path relative to the project root, with forward slashes (`lib/layers/rnn.ts`). */
  file: string;
  /** The owning function: a top-level declaration name or `Class.member`. */
  owner: string;
  /** 1-based line numbers of the BEGIN and END marker lines. */
  beginLine: number;
  endLine: number;
  /** Character offsets: start of the BEGIN line, end of the END line (before its newline). */
  start: number;
  end: number;
  /** Leading whitespace of the BEGIN marker line. */
  indent: string;
}

/** Every `.ts` file under `dir`, sorted, as paths relative to `root`. */
export function listTsFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

function declarationName(node: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) && node.name)
    return node.name.text;
  if (ts.isVariableStatement(node)) {
    const names = node.declarationList.declarations.map((d) => (ts.isIdentifier(d.name) ? d.name.text : undefined));
    return names.find((n) => n !== undefined);
  }
  return undefined;
}

/** Name of the top-level declaration (and class member) holding offset `pos`. */
export function ownerAt(sf: ts.SourceFile, pos: number): string | undefined {
  const top = sf.statements.find((s) => s.getStart(sf) <= pos && pos < s.end);
  if (!top) return undefined;
  const name = declarationName(top);
  if (name && ts.isClassDeclaration(top)) {
    const member = top.members.find((m) => m.getStart(sf) <= pos && pos < m.end);
    const memberName =
      member?.name && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name))
        ? member.name.text
        : undefined;
    return memberName ? `${name}.${memberName}` : name;
  }
  return name;
}

/** The regions of one file's text (`file` is only used in error messages and the result). */
export function findRegionsInText(file: string, text: string): Region[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const regions: Region[] = [];
  const lineStarts = sf.getLineStarts();
  let open: { line: number; start: number; indent: string } | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === BEGIN_MARKER) {
      if (open) throw new Error(`${file}:${i + 1}: BEGIN SOLUTION inside the region opened at line ${open.line}`);
      open = { line: i + 1, start: lineStarts[i], indent: line.slice(0, line.indexOf('//')) };
    } else if (trimmed === END_MARKER) {
      if (!open) throw new Error(`${file}:${i + 1}: END SOLUTION without a BEGIN SOLUTION`);
      const o: { line: number; start: number; indent: string } = open;
      const owner = ownerAt(sf, o.start + o.indent.length);
      if (!owner) throw new Error(`${file}:${o.line}: solution region outside any top-level declaration`);
      regions.push({
        file,
        owner,
        beginLine: o.line,
        endLine: i + 1,
        start: o.start,
        end: lineStarts[i] + line.length,
        indent: o.indent,
      });
      open = null;
    } else if (trimmed.includes('BEGIN SOLUTION') || trimmed.includes('END SOLUTION')) {
      throw new Error(
        `${file}:${i + 1}: a solution marker must be a line of its own, exactly '${BEGIN_MARKER}' or '${END_MARKER}'`,
      );
    }
  });
  if (open) throw new Error(`${file}:${(open as { line: number }).line}: BEGIN SOLUTION is never closed`);
  return regions;
}

/** Every solution region under `root/lib`, in file then line order. */
export function findRegions(root: string): Region[] {
  return listTsFiles(root, 'lib').flatMap((file) =>
    findRegionsInText(file, fs.readFileSync(path.join(root, file), 'utf8')),
  );
}
