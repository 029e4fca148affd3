/**
 * Reading the deployment's Bicep as text, for the static tests under test/infra*.
 *
 * Bicep cannot be compiled in this repository's CI, so these small, careful parsers stand in:
 * comments are stripped, single-quoted strings are skipped, and braces and brackets are counted to
 * find a `var`, `resource` or `module` body and its top-level `key: value` lines. They rely on the
 * layout the infra files keep on purpose (one key per line in a map, no quote characters nested
 * inside `${...}` interpolations, no multi-line ''' strings). They catch drift between the code,
 * the Bicep and the docs; they do not catch Bicep syntax or type errors (`azd provision` or
 * `az bicep build` does).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Repository root: this file runs as dist/test/support/bicep.js. */
export const root = path.resolve(__dirname, '../../..');

export function read(relativePath: string): string {
  const file = path.join(root, relativePath);
  assert.ok(existsSync(file), `${relativePath} is missing (looked for ${file})`);
  return readFileSync(file, 'utf8');
}

/** A .bicep file with its comments stripped. */
export function readBicep(relativePath: string): string {
  return stripComments(read(relativePath));
}

/** Every .bicep file under infra/, as paths relative to the repository root. */
export function bicepFiles(dir = 'infra'): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const child = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return bicepFiles(child);
    return entry.name.endsWith('.bicep') ? [child] : [];
  });
}

/**
 * Removes // and multi-line comments, keeping string literals (and line breaks) intact, so that
 * a commented-out key or role id never counts.
 */
export function stripComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === "'") {
      const end = stringEnd(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, '');
      i = stop;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** Index just past the single-quoted Bicep string that starts at `start` (\' is an escape). */
function stringEnd(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length) {
    if (source[i] === '\\') i += 2;
    else if (source[i] === "'") return i + 1;
    else i += 1;
  }
  return source.length;
}

/** The text between the `{` or `[` at `open` and its matching closer, strings skipped. */
function enclosed(source: string, open: number): string | undefined {
  let depth = 0;
  let i = open;
  while (i < source.length) {
    const ch = source[i];
    if (ch === "'") {
      i = stringEnd(source, i);
      continue;
    }
    if (ch === '{' || ch === '[') depth += 1;
    if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth === 0) return source.slice(open + 1, i);
    }
    i += 1;
  }
  return undefined;
}

/** The text between the braces of `var NAME = { ... }`, or undefined when there is none. */
export function mapBody(source: string, varName: string): string | undefined {
  const head = new RegExp(`^var\\s+${varName}\\s*=\\s*\\{`, 'm').exec(source);
  return head === null ? undefined : enclosed(source, head.index + head[0].length - 1);
}

/** The string literals of `var NAME = [ ... ]`, in order. */
export function stringArrayVar(source: string, varName: string): string[] {
  const head = new RegExp(`^var\\s+${varName}\\s*=\\s*\\[`, 'm').exec(source);
  assert.ok(head !== null, `no \`var ${varName} = [ ... ]\``);
  const body = enclosed(source, head.index + head[0].length - 1) ?? '';
  return [...body.matchAll(/'([^']*)'/g)].map((match) => match[1] ?? '');
}

/** The literal of `var NAME = 'text'`. */
export function stringVar(source: string, varName: string): string {
  const match = new RegExp(`^var\\s+${varName}\\s*=\\s*'([^']*)'\\s*$`, 'm').exec(source);
  assert.ok(match !== null, `no \`var ${varName} = '...'\``);
  return match[1] ?? '';
}

/** A `resource` or `module` declaration: its target (type or path), its `if` condition, its body. */
export interface Declaration {
  target: string;
  condition: string | undefined;
  body: string;
}

/** The `resource NAME '...' [existing] = [if (...)] { ... }` or `module NAME '...' = ...` declaration. */
export function declaration(source: string, kind: 'resource' | 'module', name: string): Declaration {
  const head = new RegExp(`^${kind}\\s+${name}\\s+'([^']+)'\\s*(?:existing\\s*)?=\\s*(?:if\\s*\\((.*)\\)\\s*)?\\{`, 'm').exec(source);
  assert.ok(head !== null, `no ${kind} ${name}`);
  const body = enclosed(source, head.index + head[0].length - 1);
  assert.ok(body !== undefined, `${kind} ${name} is not closed`);
  return { target: head[1] ?? '', condition: head[2]?.trim(), body };
}

/** Keys of the top level of a map body: `key:` or `'key':` at the start of a depth-0 line. */
export function topLevelKeys(body: string): string[] {
  return [...topLevelEntries(body).keys()];
}

/** Top-level `key: value` lines of a map body; the value is the rest of the line ('{' or '[' for nested ones). */
export function topLevelEntries(body: string): Map<string, string> {
  const entries = new Map<string, string>();
  let depth = 0;
  for (const line of body.split('\n')) {
    if (depth === 0) {
      const match = /^\s*(?:'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))\s*:\s*(.*?)\s*$/.exec(line);
      const key = match?.[1] ?? match?.[2];
      if (key !== undefined) entries.set(key, match?.[3] ?? '');
    }
    let i = 0;
    while (i < line.length) {
      if (line[i] === "'") {
        i = stringEnd(line, i);
        continue;
      }
      if (line[i] === '{' || line[i] === '[') depth += 1;
      if (line[i] === '}' || line[i] === ']') depth -= 1;
      i += 1;
    }
  }
  return entries;
}

/** The body of a nested `key: { ... }` (or `[ ... ]`) inside a map body, by a path of keys. */
export function nested(body: string, ...keys: string[]): string {
  let current = body;
  for (const key of keys) {
    const head = new RegExp(`^\\s*${key}\\s*:\\s*[{[]`, 'm').exec(current);
    assert.ok(head !== null, `no ${keys.join('.')} (stopped at ${key})`);
    current = enclosed(current, head.index + head[0].length - 1) ?? '';
  }
  return current;
}

/** The `params: { ... }` of a module, as key → value text. */
export function moduleParams(source: string, moduleName: string): Map<string, string> {
  return topLevelEntries(nested(declaration(source, 'module', moduleName).body, 'params'));
}

/** Parameters a file declares: name → default value text (undefined when required). */
export function parameters(source: string): Map<string, string | undefined> {
  const declared = new Map<string, string | undefined>();
  for (const match of source.matchAll(/^param\s+(\w+)\s+\w+(?:\s*=\s*(.+?))?\s*$/gm)) {
    declared.set(match[1] ?? '', match[2]);
  }
  return declared;
}
