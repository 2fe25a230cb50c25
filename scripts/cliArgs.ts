/**
 * The command lines of the scripts: node's `util.parseArgs` (strict, so an unknown flag is an
 * error) plus the glue every script needs — numeric flags converted and checked, defaults, and
 * errors that name the script, the flag, what it expects and what was given, as a UsageError
 * (the scripts print its message, usually with their usage text, and exit with 2).
 *
 *   const { values, positionals } = parseCommandLine('bench-lstm', argv, {
 *     reps: { type: 'number', rule: 'positive-integer', default: 7 },
 *     'no-torch': { type: 'boolean' },
 *   });
 */
import { parseArgs } from 'node:util';

/** A bad command line; its message starts with the script's name. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a numeric flag accepts (every rule also requires a finite number). */
export type NumberRule = 'number' | 'positive' | 'integer' | 'positive-integer' | 'non-negative-integer';

const RULE_EXPECTS: Record<NumberRule, string> = {
  number: 'a number',
  positive: 'a positive number',
  integer: 'a whole number',
  'positive-integer': 'a whole number >= 1',
  'non-negative-integer': 'a whole number >= 0',
};

/**
 * One flag `--name`. `expects` describes its value in error messages (default: from the rule
 * for numbers, "a value" for strings). Booleans default to false; other flags without a
 * default are undefined when absent.
 */
export type Flag =
  | { type: 'boolean'; short?: string }
  | { type: 'string'; short?: string; default?: string; expects?: string }
  | { type: 'number'; rule: NumberRule; short?: string; default?: number; expects?: string };

export type Flags = Record<string, Flag>;

type FlagValue<F> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'number'; default: number }
    ? number
    : F extends { type: 'number' }
      ? number | undefined
      : F extends { type: 'string'; default: string }
        ? string
        : string | undefined;

export type FlagValues<F extends Flags> = { -readonly [K in keyof F]: FlagValue<F[K]> };

export interface CommandLine<F extends Flags> {
  values: FlagValues<F>;
  positionals: string[];
}

/** `raw` as a number obeying `rule`, else a UsageError naming `script`, `name` (a flag or variable) and `raw`. */
export function parseNumber(script: string, name: string, raw: string, rule: NumberRule, expects?: string): number {
  const v = raw.trim() === '' ? NaN : Number(raw);
  const integer = rule === 'integer' || rule === 'positive-integer' || rule === 'non-negative-integer';
  const ok =
    Number.isFinite(v) &&
    (!integer || Number.isInteger(v)) &&
    (rule !== 'positive' && rule !== 'positive-integer' ? true : v > 0) &&
    (rule !== 'non-negative-integer' || v >= 0);
  if (!ok) throw new UsageError(`${script}: ${name} expects ${expects ?? RULE_EXPECTS[rule]}, got '${raw}'`);
  return v;
}

function expectsOf(flag: Flag): string {
  if (flag.type === 'boolean') return 'no value';
  return flag.expects ?? (flag.type === 'number' ? RULE_EXPECTS[flag.rule] : 'a value');
}

/** The flags as `parseArgs` options: numbers are strings to it, and defaults are applied afterwards. */
function parseArgsOptions(flags: Flags): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.short ? { short: f.short } : {}) },
    ]),
  );
}

/**
 * Why strict `parseArgs` rejected `argv`, told from its tokens (parsed again leniently), so the
 * message can say what the flag expects and what it got; undefined if no token explains it.
 */
function explainRejection(argv: string[], flags: Flags, allowPositionals: boolean): string | undefined {
  const { tokens } = parseArgs({
    args: argv,
    options: parseArgsOptions(flags),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const known = Object.entries(flags)
    .map(([name, f]) => (f.short ? `-${f.short}/--${name}` : `--${name}`))
    .join(', ');
  for (const t of tokens) {
    if (t.kind === 'positional' && !allowPositionals) {
      return `unexpected argument '${t.value}' (expected no positional arguments; flags: ${known || 'none'})`;
    }
    if (t.kind !== 'option') continue;
    const flag = Object.hasOwn(flags, t.name) ? flags[t.name] : undefined;
    if (!flag) return `unknown flag '${t.rawName}' (${known ? `expected one of: ${known}` : 'expected no flags'})`;
    if (flag.type === 'boolean') {
      if (t.value !== undefined) return `${t.rawName} takes no value, got '${t.value}'`;
    } else if (t.value === undefined) {
      return `${t.rawName} expects ${expectsOf(flag)}, got nothing`;
    } else if (!t.inlineValue && t.value.startsWith('-')) {
      return (
        `${t.rawName} expects ${expectsOf(flag)}, got '${t.value}', which looks like a flag ` +
        `(write ${t.rawName}=${t.value} if it is the value)`
      );
    }
  }
  return undefined;
}

const isParseArgsError = (e: unknown): e is TypeError & { code: string } =>
  e instanceof TypeError && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');

/**
 * `argv` (without node and the script) parsed strictly against `flags`: unknown flags, missing or
 * surplus values, positionals when not allowed and numbers breaking their rule throw a UsageError
 * whose message starts with `script: ` and names the flag, what it expects and what was given.
 */
export function parseCommandLine<const F extends Flags>(
  script: string,
  argv: string[],
  flags: F,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
): CommandLine<F> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: parseArgsOptions(flags), strict: true, allowPositionals });
  } catch (e) {
    if (!isParseArgsError(e)) throw e;
    throw new UsageError(`${script}: ${explainRejection(argv, flags, allowPositionals) ?? e.message}`);
  }
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(flags)) {
    const given = raw[name];
    if (flag.type === 'boolean') values[name] = given === true;
    else if (given === undefined) values[name] = flag.default;
    else if (flag.type === 'string') values[name] = String(given);
    else values[name] = parseNumber(script, `--${name}`, String(given), flag.rule, flag.expects);
  }
  return { values: values as FlagValues<F>, positionals: parsed.positionals };
}
