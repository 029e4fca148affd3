/**
 * Character classes of parameter values, as a 32-bit mask: letters, digits, white space, each
 * punctuation character an API value commonly carries (brackets paired), and "other" (control
 * and unusual characters). A parameter's learned mask is the union over its baseline; a value
 * with a class outside it (a quote, a pipe, a percent sign where none ever came) is new.
 */
const LETTER = 1 << 0;
const DIGIT = 1 << 1;
const SPACE = 1 << 2;
const OTHER = 1 << 3;
const PUNCTUATION = "-_.@/\\'\"<%+=&;|*?(,:#!${[`~^";
const PAIRS: Record<string, string> = { '>': '<', ')': '(', '}': '{', ']': '[' };

/** Bit of each ASCII code point, built once. */
const ASCII = new Int32Array(128).fill(OTHER);
for (let code = 0x41; code <= 0x5a; code += 1) ASCII[code] = LETTER;
for (let code = 0x61; code <= 0x7a; code += 1) ASCII[code] = LETTER;
for (let code = 0x30; code <= 0x39; code += 1) ASCII[code] = DIGIT;
ASCII[0x20] = SPACE;
ASCII[0x09] = SPACE;
for (let i = 0; i < PUNCTUATION.length; i += 1) ASCII[PUNCTUATION.charCodeAt(i)] = 1 << (4 + i);
for (const [close, open] of Object.entries(PAIRS)) ASCII[close.charCodeAt(0)] = ASCII[open.charCodeAt(0)] as number;

const NAMES: Array<[number, string]> = [
  [LETTER, 'letters'],
  [DIGIT, 'digits'],
  [SPACE, 'space'],
  [OTHER, 'other characters'],
  ...[...PUNCTUATION].map((ch, i): [number, string] => [1 << (4 + i), pairName(ch)]),
];

function pairName(ch: string): string {
  const close = Object.keys(PAIRS).find((key) => PAIRS[key] === ch);
  return close === undefined ? ch : `${ch}${close}`;
}

const NON_ASCII_LETTER = /\p{L}/u;

/** The classes of characters in a value. */
export function charClassMask(value: string): number {
  let mask = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 128) mask |= ASCII[code] as number;
    else mask |= NON_ASCII_LETTER.test(value.charAt(i)) ? LETTER : OTHER;
  }
  return mask >>> 0;
}

/** Readable names of the classes in a mask ("'", "|", "letters", …). */
export function charClassNames(mask: number): string[] {
  return NAMES.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
}
