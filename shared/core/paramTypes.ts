/**
 * Value types of query and path parameters, for API_UnseenParamType ("a value of a type never
 * seen for this parameter"). Pure: no I/O.
 *
 * A value gets the most specific type that describes it (see {@link classifyValue}), and the
 * types form a lattice (a DAG of "is also acceptable as"), so that a learned distribution accepts
 * values of a narrower type than the ones it saw: an `integer` where `decimal` is normal is not
 * new, an `alpha` where `alphanumeric` is normal is not new, but `text`, `markup` or `injection`
 * where `integer` is normal is.
 *
 * ```
 *   boolean ─▶ alpha ─▶ alphanumeric ─▶ identifier ─▶ text ─▶ long ─▶ markup ─▶ injection ─▶ binary
 *                hex ─▶ alphanumeric ─▶ base64 ─────▶ text
 *   integer ─▶ alphanumeric,  integer ─▶ decimal ─▶ identifier
 *   uuid ─▶ identifier      date ─▶ datetime ─▶ text      empty, email, ipv4, ipv6, url ─▶ text
 * ```
 *
 * `long` is any value over the length limit that is not markup, injection-like or binary; it sits
 * above `text`, so a parameter that normally carries long values accepts short ones, but one that
 * carries short text does not accept a 5,000-character value. `injection` covers values shaped
 * like attacks (SQL with quotes, shell separators with commands, template braces, traversal,
 * script markup, CRLF header injection, double-encoded metacharacters); a value that only
 * resembles text never gets it. `binary` (control characters) is the top: everything is
 * acceptable where raw bytes are normal.
 *
 * Classification is cheap: values made only of letters, digits, `-`, `_`, `.` and `~` (most ids,
 * numbers, names, slugs) take a fast path with anchored patterns; everything else is scanned by
 * precompiled patterns whose repetitions are bounded, over at most {@link MAX_SCANNED_LENGTH}
 * characters, so the cost is linear and small whatever the input.
 */
import ipaddr from 'ipaddr.js';

export const PARAM_TYPES = [
  'empty',
  'boolean',
  'integer',
  'decimal',
  'hex',
  'uuid',
  'date',
  'datetime',
  'email',
  'ipv4',
  'ipv6',
  'url',
  'base64',
  'alpha',
  'alphanumeric',
  'identifier',
  'text',
  'long',
  'markup',
  'injection',
  'binary',
] as const;

export type ParamType = (typeof PARAM_TYPES)[number];

/** Values longer than this (in UTF-16 code units) are `long` unless markup, injection-like or binary. */
export const DEFAULT_LONG_LENGTH = 256;
/** Only this much of a value is scanned for injection and markup (beyond it a value is `long` anyway). */
export const MAX_SCANNED_LENGTH = 8192;

/** Direct supertypes: a value of the key type is also acceptable as each listed type. */
const PARENTS: Readonly<Record<ParamType, readonly ParamType[]>> = {
  empty: ['text'],
  boolean: ['alpha'],
  integer: ['decimal', 'alphanumeric'],
  decimal: ['identifier'],
  hex: ['alphanumeric'],
  uuid: ['identifier'],
  date: ['datetime'],
  datetime: ['text'],
  email: ['text'],
  ipv4: ['text'],
  ipv6: ['text'],
  url: ['text'],
  base64: ['text'],
  alpha: ['alphanumeric'],
  alphanumeric: ['identifier', 'base64'],
  identifier: ['text'],
  text: ['long'],
  long: ['markup'],
  markup: ['injection'],
  injection: ['binary'],
  binary: [],
};

/** For each type, itself and every type above it (reflexive, transitive closure of PARENTS). */
const UP_SETS: ReadonlyMap<ParamType, ReadonlySet<ParamType>> = (() => {
  const result = new Map<ParamType, Set<ParamType>>();
  const visit = (type: ParamType): Set<ParamType> => {
    const known = result.get(type);
    if (known) return known;
    const up = new Set<ParamType>([type]);
    for (const parent of PARENTS[type]) for (const above of visit(parent)) up.add(above);
    result.set(type, up);
    return up;
  };
  for (const type of PARAM_TYPES) visit(type);
  return result;
})();

const TYPE_SET: ReadonlySet<string> = new Set(PARAM_TYPES);

/** True when `text` names a ParamType (for reading stored distributions). */
export function isParamType(text: string): text is ParamType {
  return TYPE_SET.has(text);
}

/** a ≤ b: a value of type `a` is acceptable where type `b` is normal (reflexive). */
export function isSubtype(a: ParamType, b: ParamType): boolean {
  return UP_SETS.get(a)?.has(b) ?? false;
}

/** `general` covers `specific`: the same as isSubtype(specific, general). */
export function generalizes(general: ParamType, specific: ParamType): boolean {
  return isSubtype(specific, general);
}

/** Every type that `type` is acceptable as, itself included. */
export function supertypes(type: ParamType): ReadonlySet<ParamType> {
  return UP_SETS.get(type) ?? new Set([type]);
}

/**
 * True when a value of type `observed` is not new for a parameter whose learned types are
 * `learned`: some learned type generalizes it. An empty learned set accepts nothing (the
 * detector decides separately whether it has enough history to judge).
 */
export function typeCompatible(learned: ReadonlySet<ParamType>, observed: ParamType): boolean {
  if (learned.has(observed)) return true;
  const up = supertypes(observed);
  for (const type of learned) if (up.has(type)) return true;
  return false;
}

/**
 * The narrowest types that cover both (least upper bounds; usually one). Useful to summarize a
 * distribution: the join of `integer` and `alpha` is `alphanumeric`.
 */
export function joinTypes(a: ParamType, b: ParamType): ParamType[] {
  const common = [...supertypes(a)].filter((type) => supertypes(b).has(type));
  return common.filter((type) => !common.some((other) => other !== type && isSubtype(other, type)));
}

// ---------------------------------------------------------------------------------------------
// Fast path: letters, digits, "-", "_", ".", "~"

const SIMPLE = /^[\p{L}\p{M}\p{N}_.~-]+$/u;
const BOOLEAN = /^(?:true|false|yes|no|on|off)$/i;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.\d*|\.\d+|\d+(?=e))(?:e[+-]?\d{1,4})?$/i;
const DECIMAL_COMMA = /^[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d+)$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BRACED_UUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;
const HEX_PREFIXED = /^0x[0-9a-f]{1,64}$/i;
const HEX_LOWER = /^[0-9a-f]{8,}$/;
const HEX_UPPER = /^[0-9A-F]{8,}$/;
const HAS_DIGIT = /\d/;
const HAS_LETTER = /[a-f]/i;
const ALPHA = /^[\p{L}\p{M}]+$/u;
const ALPHANUMERIC = /^[\p{L}\p{M}\p{N}]+$/u;
/** yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd, dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy (also m/d/yyyy). */
const DATE_YMD = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const DATE_DMY = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;

function plausibleDate(year: number, a: number, b: number): boolean {
  if (year < 1000 || year > 9999) return false;
  // Either order of day and month is fine: we only need "is this a calendar date".
  const monthDay = a >= 1 && a <= 12 && b >= 1 && b <= 31;
  const dayMonth = b >= 1 && b <= 12 && a >= 1 && a <= 31;
  return monthDay || dayMonth;
}

function isDate(value: string): boolean {
  const ymd = DATE_YMD.exec(value);
  if (ymd) return plausibleDate(Number(ymd[1]), Number(ymd[3]), Number(ymd[4]));
  const dmy = DATE_DMY.exec(value);
  if (dmy) return plausibleDate(Number(dmy[4]), Number(dmy[1]), Number(dmy[3]));
  return false;
}

function isHex(value: string): boolean {
  if (HEX_PREFIXED.test(value)) return true;
  return (HEX_LOWER.test(value) || HEX_UPPER.test(value)) && HAS_DIGIT.test(value) && HAS_LETTER.test(value);
}

function classifySimple(value: string): ParamType {
  if (value === '..') return 'injection';
  if (BOOLEAN.test(value)) return 'boolean';
  if (INTEGER.test(value)) return 'integer';
  if (DECIMAL.test(value)) return 'decimal';
  if (IPV4.test(value)) return 'ipv4';
  if (UUID.test(value)) return 'uuid';
  if (isDate(value)) return 'date';
  if (DATETIME_COMPACT.test(value)) return 'datetime';
  if (isHex(value)) return 'hex';
  if (ALPHA.test(value)) return 'alpha';
  if (ALPHANUMERIC.test(value)) return 'alphanumeric';
  return 'identifier';
}

// ---------------------------------------------------------------------------------------------
// Structured values with punctuation

const DATETIME_ISO =
  /^\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:z|[+-]\d{2}(?::?\d{2})?| \d{2}:?\d{2})?)$/i;
const DATETIME_COMPACT = /^\d{8}t\d{4,6}(?:z|[+-]\d{4})?$/i;
const DATETIME_DMY = /^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}[ t]\d{1,2}:\d{2}(?::\d{2})?(?: ?[ap]m)?$/i;
const DATETIME_RFC1123 =
  /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6},? \d{1,2}[ -](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[ -]\d{2,4} \d{2}:\d{2}(?::\d{2})? (?:gmt|utc|ut|z|[+-]\d{4})$/i;
const TIME_OF_DAY = /^\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?: ?[ap]m)?$/i;
const EMAIL = /^[^\s@<>()[\]\\,;:"']{1,64}@[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9-]{1,63}){1,8}$/i;
const IPV6_CHARS = /^[0-9a-f:.]{2,45}$/i;
const URL = /^[a-z][a-z0-9+.-]{1,31}:\/\/[^\s<>"'`{}|\\^]{1,2048}$/i;
const BASE64 = /^[A-Za-z0-9+/]{14,}={0,2}$/;
const BASE64_EXTRA = /[+/=]/;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;

function isBase64(value: string): boolean {
  if (value.length < 16 || value.length % 4 !== 0 || !BASE64.test(value) || !BASE64_EXTRA.test(value)) return false;
  // Padding alone makes it plausible; otherwise demand the character mix random bytes give.
  return value.endsWith('=') || (UPPER.test(value) && LOWER.test(value) && HAS_DIGIT.test(value));
}

function isIpv6(value: string): boolean {
  if (!IPV6_CHARS.test(value) || value.indexOf(':') === value.lastIndexOf(':')) return false;
  return ipaddr.IPv6.isValid(value);
}

function classifyStructured(value: string): ParamType | undefined {
  if (INTEGER.test(value)) return 'integer';
  if (DECIMAL.test(value) || DECIMAL_COMMA.test(value)) return 'decimal';
  if (isDate(value)) return 'date';
  if (DATETIME_ISO.test(value) || DATETIME_COMPACT.test(value) || DATETIME_DMY.test(value) || DATETIME_RFC1123.test(value) || TIME_OF_DAY.test(value)) {
    return 'datetime';
  }
  if (BRACED_UUID.test(value)) return 'uuid';
  if (EMAIL.test(value)) return 'email';
  if (isIpv6(value)) return 'ipv6';
  if (URL.test(value)) return 'url';
  if (isBase64(value)) return 'base64';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Attack shapes

/** Commands an injected shell fragment runs. After a separator they need an argument ("dog;cat" is a list, "x;cat /etc/passwd" is not). */
const SHELL_COMMANDS =
  'cat|ls|id|whoami|uname|hostname|ifconfig|ipconfig|netstat|ping|nslookup|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|' +
  'chmod|chown|rm|cp|mv|echo|printf|env|printenv|set|sleep|perl|python|python3|php|ruby|node|powershell|cmd|' +
  'type|dir|net|sudo|su|kill|crontab|tftp|telnet|ssh|base64|touch|find|grep|awk|sed|head|tail|more|less|passwd|nohup|eval|exec|xargs|dd|systeminfo|tasklist';
/** Reconnaissance commands that are never field names, probing on their own: "x;whoami", "|uname". */
const RECON_COMMANDS = 'whoami|uname|ifconfig|ipconfig|netstat|systeminfo|tasklist|printenv';
const SHELL_ARGUMENT = `(?:-{1,2}[a-z0-9]|[/~$'"\`<>|&;]|\\.{1,2}/|[a-z]{1,12}=|(?:https?|ftp)://)`;

const INJECTION = new RegExp(
  [
    // SQL: a closed string then boolean logic, a comment or a statement; UNION SELECT; timing and schema probes.
    `['"\`]\\s{0,5}\\){0,3}\\s{0,5}(?:or|and|xor|\\|\\||&&)\\s{0,5}\\({0,3}\\s{0,5}(?:['"\`\\d(@]|(?:not|true|false|null|sleep|select|exists|if|case|char|ascii|substr\\w{0,6})\\b)`,
    `(?:or|and)\\s{1,5}(?:\\d{1,10}|'[^']{0,20}'|"[^"]{0,20}")\\s{0,5}(?:=|<>|!=|<=?|>=?|\\blike\\b)\\s{0,5}(?:\\d|'|")`,
    `['"\`]\\s{0,5}\\){0,3}\\s{0,5}(?:--|#|/\\*|;\\s{0,5}(?:$|--|#|(?:drop|select|insert|update|delete|shutdown|exec|declare|waitfor|create|alter|truncate|union)\\b))`,
    `['"\`]\\s{0,5}\\){0,3}\\s{0,5}(?:union|select|insert|update|delete|drop|exec|execute|declare|having|order\\s{1,5}by|group\\s{1,5}by)\\b`,
    `\\bunion(?:\\s|/\\*[^*]{0,40}\\*/|\\(|\\+){1,10}(?:all(?:\\s|/\\*[^*]{0,40}\\*/|\\(|\\+){1,10})?select\\b`,
    `\\bselect\\s{1,5}(?:\\*|@@|null\\b|count\\s{0,5}\\(|concat|group_concat|top\\s{1,5}\\d)`,
    `;\\s{0,5}(?:drop|truncate|alter|create|delete|insert|update|shutdown|declare|exec(?:ute)?)\\s`,
    `\\b(?:sleep|benchmark|pg_sleep|randomblob|load_file|extractvalue|updatexml|dbms_pipe\\.receive_message)\\s{0,5}\\(\\s{0,5}\\d`,
    `\\bwaitfor\\s{1,5}(?:delay|time)\\s{1,5}['"]`,
    `\\b(?:xp_cmdshell|information_schema|sysobjects|sqlite_master)\\b|@@(?:version|datadir|hostname)\\b`,
    // NoSQL operators in a value.
    `['"]\\$(?:where|ne|gt|gte|lt|lte|regex|in|nin|exists|expr|function)['"]\\s{0,5}:`,
    // Shell: separators or substitutions followed by a command, reverse shells.
    `(?:\\|\\|?|&&|;|\\n|\\r)\\s{0,5}(?:${SHELL_COMMANDS})\\s{1,5}${SHELL_ARGUMENT}`,
    `(?:\\|\\|?|&&|;|\\n|\\r)\\s{0,5}(?:${RECON_COMMANDS})\\s{0,5}(?:$|[;|&\`])`,
    `\`\\s{0,5}(?:${SHELL_COMMANDS})\\b`,
    `\\$\\(\\s{0,5}[a-z(]|\\$\\{?ifs\\b|/dev/(?:tcp|udp)/|\\(\\s{0,5}\\)\\s{0,5}\\{`,
    `(?:^|[\\s;|&'"])/bin/(?:ba|z|k|da)?sh\\b`,
    // Templates and expression languages: \${…}, {{…}}, #{…}, <%…%>, %{…}.
    `\\$\\{|\\{\\{[^}]{0,200}\\}\\}|[#*@]\\{[^}]{1,200}\\}|<%|%\\{\\s{0,5}[(#@]`,
    // Traversal and files attackers read.
    `(?:^|[/\\\\])\\.\\.(?:[/\\\\]|$)|\\.\\.;/`,
    `/etc/(?:passwd|shadow|group|hosts|sudoers)\\b|/proc/self/|\\b(?:win|boot|system)\\.ini\\b|c:\\\\+windows\\b|\\bweb-inf/`,
    // Markup that runs script, SSI, PHP tags.
    `<\\s{0,5}/?\\s{0,5}(?:script|iframe|frame|frameset|object|embed|applet|svg|math|base|meta|link|style|form|isindex|xss)\\b`,
    `\\b(?:java|vb|live)script\\s{0,5}:|\\bdata\\s{0,5}:\\s{0,5}text/html`,
    `<[a-z][^>]{0,200}?\\bon[a-z]{3,25}\\s{0,5}=|['"](?:\\s{1,5}|\\s{0,5}[>/]\\s{0,5})on[a-z]{3,25}\\s{0,5}=`,
    `\\b(?:alert|prompt|confirm)\\s{0,5}(?:\\(|\`)\\s{0,5}(?:\\d|['"\`]|document|\\))|\\bdocument\\s{0,5}\\.\\s{0,5}(?:cookie|domain|write)\\b`,
    `<!--\\s{0,5}#\\s{0,5}(?:exec|include|echo|config|set|printenv|fsize|flastmod)\\b|<\\?(?:php|=|\\s)`,
    // Code: Java / Python / Node idioms, JNDI.
    `\\bjndi\\s{0,5}:|\\bjava\\.lang\\.|\\bruntime\\s{0,5}\\.\\s{0,5}getruntime\\b|__(?:import|class|globals|builtins|subclasses)__|\\bchild_process\\b`,
    // LDAP filter injection: "*)(uid=*", ")(|(".
    `\\*\\s{0,5}\\)\\s{0,5}\\(|\\)\\s{0,5}\\(\\s{0,5}[|&!]`,
    // CRLF followed by a header line (response splitting).
    `[\\r\\n]\\s{0,5}(?:set-cookie|location|refresh|host|content-[a-z]{2,12}|x-[a-z0-9-]{1,30}|access-control-[a-z-]{1,30})\\s{0,5}:`,
  ].join('|'),
  'i',
);

/** Percent escapes left after decoding (double encoding) of characters that only an attack needs escaped twice. */
const DOUBLE_ENCODED = /%(?:0[0-9a-f]|1[0-9a-f]|2[27]|3[bce]|5c|60|7[bcdf]|24|25(?:[0-9a-f]{2}))/i;
const PERCENT_ESCAPE = /%([0-9a-f]{2})/gi;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const MARKUP = /<[a-z!/?]|&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i;

function decodeEscapes(text: string): string {
  return text.replace(PERCENT_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function looksLikeInjection(scanned: string): boolean {
  if (INJECTION.test(scanned)) return true;
  if (scanned.indexOf('%') >= 0) {
    if (DOUBLE_ENCODED.test(scanned)) return true;
    const decoded = decodeEscapes(scanned);
    if (decoded !== scanned && INJECTION.test(decoded)) return true;
  }
  return false;
}

/**
 * The type of one parameter value (already percent-decoded once, as RequestEvent holds it).
 * `longLength`: values longer than this are `long` (see the module comment); a deployment must
 * keep one setting for learning and scoring. Never throws.
 */
export function classifyValue(value: string, longLength: number = DEFAULT_LONG_LENGTH): ParamType {
  if (value.length === 0) return 'empty';
  if (value.length <= longLength && SIMPLE.test(value)) return classifySimple(value);

  const scanned = value.length > MAX_SCANNED_LENGTH ? value.slice(0, MAX_SCANNED_LENGTH) : value;
  if (looksLikeInjection(scanned)) return 'injection';
  if (CONTROL.test(scanned)) return 'binary';
  if (MARKUP.test(scanned)) return 'markup';
  if (value.length > longLength) return 'long';
  return classifyStructured(value) ?? 'text';
}
