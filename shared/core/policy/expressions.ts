/**
 * Policy expressions in APIM "rawxml" documents.
 *
 * APIM returns policies in two formats. In `xml` the document is proper XML and expressions are
 * entity-escaped (`@(a &amp;&amp; b)`). In `rawxml` ("not XML encoded") expressions appear as the
 * author typed them, so an attribute can hold `condition="@(ctx.Headers.GetValueOrDefault("a","") != "")"`
 * or a text node `@{ if (a < b && c) { ... } }` — not well-formed XML.
 *
 * Before parsing, every `@(...)` and `@{...}` outside comments, CDATA and processing instructions
 * is cut out and replaced by an inert placeholder; after serializing, the placeholders are put
 * back with the original bytes. Expressions therefore survive a round trip unchanged, whichever
 * format they were written in, and the XML parser never sees C#.
 *
 * The scanner knows enough C# to find the closing bracket: nested (), {}, [], "strings" with
 * escapes, @"verbatim" strings, $"interpolated {holes}" strings, 'c' char literals, // and
 * block comments. An `@(` or `@{` that never closes is left in place (the XML parser then
 * decides whether the document is readable).
 */

const OPENERS: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

/** Index just past the closing quote of a string literal starting at `start` (a `"`). */
function skipString(text: string, start: number, verbatim: boolean, interpolated: boolean): number | undefined {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (verbatim) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          i += 2;
          continue;
        }
        return i + 1;
      }
    } else {
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '"') return i + 1;
      if (c === '\n') return undefined;
    }
    if (interpolated && c === '{') {
      if (text[i + 1] === '{') {
        i += 2;
        continue;
      }
      const end = scanBalanced(text, i + 1, '}');
      if (end === undefined) return undefined;
      i = end;
      continue;
    }
    i += 1;
  }
  return undefined;
}

/**
 * Scans C# from `start` until `closer` is found at nesting depth zero; returns the index just
 * past it, or undefined when the text ends first or a bracket does not match.
 */
function scanBalanced(text: string, start: number, closer: string): number | undefined {
  const stack: string[] = [closer];
  let i = start;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') {
      const before = text.slice(Math.max(0, i - 2), i);
      const verbatim = before.endsWith('@') || before === '@$';
      const interpolated = before.endsWith('$') || before === '$@';
      const end = skipString(text, i, verbatim, interpolated);
      if (end === undefined) return undefined;
      i = end;
      continue;
    }
    if (c === "'") {
      // Char literal: 'a', '\'', '\u0041'.
      const close = text.indexOf("'", text[i + 1] === '\\' ? i + 3 : i + 2);
      if (close < 0 || close - i > 10) return undefined;
      i = close + 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      if (newline < 0) return undefined;
      i = newline + 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
      continue;
    }
    const opener = OPENERS[c];
    if (opener !== undefined) {
      stack.push(opener);
    } else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== c) return undefined;
      if (stack.length === 0) return i + 1;
    }
    i += 1;
  }
  return undefined;
}

/** Length of the expression starting at `start` (an `@` followed by `(` or `{`), or undefined. */
export function expressionLength(text: string, start: number): number | undefined {
  const open = text[start + 1];
  if (text[start] !== '@' || (open !== '(' && open !== '{')) return undefined;
  const end = scanBalanced(text, start + 2, OPENERS[open] as string);
  return end === undefined ? undefined : end - start;
}

const PLACEHOLDER_STEM = '__api_warden_expr_';

/** Expressions set aside from one document, and how to put them back. */
export class ExpressionTable {
  /** Placeholder prefix, chosen so that it does not occur in the source text. */
  readonly prefix: string;
  private readonly expressions: string[] = [];
  private readonly pattern: RegExp;

  constructor(source: string) {
    let k = 0;
    while (source.includes(`${PLACEHOLDER_STEM}${k}_`)) k += 1;
    this.prefix = `${PLACEHOLDER_STEM}${k}_`;
    this.pattern = new RegExp(`${this.prefix}(\\d+)__`, 'g');
  }

  /** Registers an expression (original bytes) and returns its placeholder. */
  add(expression: string): string {
    this.expressions.push(expression);
    return `${this.prefix}${this.expressions.length - 1}__`;
  }

  /** Whether `text` contains this table's placeholder prefix (so must not be written as data). */
  collides(text: string): boolean {
    return text.includes(PLACEHOLDER_STEM);
  }

  /** Replaces every placeholder in `text` by its expression. */
  restore(text: string): string {
    return text.replace(this.pattern, (whole, index: string) => this.expressions[Number(index)] ?? whole);
  }
}

/**
 * Replaces every policy expression outside comments, CDATA and processing instructions by a
 * placeholder registered in `table`. Returns text that no longer contains raw C#.
 */
export function protectExpressions(source: string, table: ExpressionTable): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '<') {
      let skipTo = -1;
      if (source.startsWith('<!--', i)) skipTo = endAfter(source, '-->', i + 4);
      else if (source.startsWith('<![CDATA[', i)) skipTo = endAfter(source, ']]>', i + 9);
      else if (source.startsWith('<?', i)) skipTo = endAfter(source, '?>', i + 2);
      if (skipTo >= 0) {
        i = skipTo;
        continue;
      }
      if (skipTo === -2) break; // unterminated: leave the rest to the parser
    } else if (c === '@') {
      const length = expressionLength(source, i);
      if (length !== undefined) {
        out += source.slice(copied, i) + table.add(source.slice(i, i + length));
        i += length;
        copied = i;
        continue;
      }
    }
    i += 1;
  }
  return out + source.slice(copied);
}

function endAfter(source: string, terminator: string, from: number): number {
  const at = source.indexOf(terminator, from);
  return at < 0 ? -2 : at + terminator.length;
}
