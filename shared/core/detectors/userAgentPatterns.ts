/**
 * What makes a User-Agent suspicious: the fingerprints of attack tools and the payloads attackers
 * put in the header (it is logged and often parsed, so Log4Shell, shellshock, template and SQL
 * injection all travel in it). Pure: no I/O.
 *
 * A real User-Agent is a list of `product/version` tokens and parenthesised comments. None of the
 * shapes below occur in one, so each pattern is written to need a structure an attack has and a
 * client does not (a lookup `${…}`, a function definition `() {`, a shell separator followed by a
 * command, a quote followed by SQL), not a bare word. The patterns are our own; they are measured
 * against the OWASP CRS regression tests and scanner lists and against real browser User-Agents
 * (test/core/detectors/suspiciousUserAgent.eval.test.ts).
 *
 * Matching runs on a normalized copy: Unicode NFKC (full-width `＄｛` becomes `${`), up to three
 * rounds of decoding percent escapes, HTML character references and backslash escapes (so
 * `&#x24;&#123;jndi:` is `${jndi:`), then lower case. Every quantifier that can repeat is bounded
 * and the text is cut at {@link MAX_ANALYZED_LENGTH}, so the cost is linear in that length.
 */

/** Why a User-Agent was flagged. */
export type UserAgentCategory =
  /** A known vulnerability scanner, fuzzer, brute-forcer or internet-wide scanner. */
  | 'scanner'
  /** A generic scripting HTTP client (curl, python-requests, …); only when enabled. */
  | 'scripting_client'
  /** A Log4j lookup that loads a remote object (Log4Shell, CVE-2021-44228), obfuscated or not. */
  | 'jndi'
  /** A bash function definition in a header (Shellshock, CVE-2014-6271). */
  | 'shellshock'
  /** Shell separators or substitutions followed by commands, reverse shells, download-and-run. */
  | 'command_injection'
  /** The whole User-Agent is a command line ("cat /etc/passwd", "id", "ansible all -m ping"). */
  | 'shell_command'
  /** Server-side code: PHP tags and exec functions, Java Runtime/OGNL, Python dunder chains. */
  | 'code_injection'
  /** Template expressions: `${…}`, `{{…}}`, `#{…}`, `<%…%>`, `%{…}`. */
  | 'template_injection'
  | 'sql_injection'
  /** Script-bearing markup or `javascript:` URLs. */
  | 'xss'
  /** Serialized Java / PHP / .NET / YAML objects and gadget classes. */
  | 'deserialization'
  /** `../` sequences. */
  | 'path_traversal'
  /** Paths of files attackers read (/etc/passwd, /proc/self/environ, win.ini, …). */
  | 'sensitive_file'
  /** Domains of out-of-band interaction services used to confirm blind injection (Burp Collaborator, interactsh, …). */
  | 'oob_callback'
  /** CR or LF in the header, raw or encoded: response splitting / log forging. */
  | 'header_injection'
  /** Other control characters (NUL, escape, …). */
  | 'control_characters'
  /** Longer than any real client sends. */
  | 'oversized'
  /** A broken imitation of a browser: misspelled or version-less "Mozilla", a value that starts with "User-Agent:". */
  | 'malformed';

/** Payload categories score 2, tool fingerprints and oddities 1: see {@link categoryScore}. */
export const PAYLOAD_CATEGORIES: ReadonlySet<UserAgentCategory> = new Set<UserAgentCategory>([
  'jndi',
  'shellshock',
  'command_injection',
  'shell_command',
  'code_injection',
  'template_injection',
  'sql_injection',
  'xss',
  'deserialization',
  'path_traversal',
  'sensitive_file',
  'oob_callback',
  'header_injection',
]);

/**
 * Score of a match. An attack payload in the header is an attempt to exploit the API (2); a tool
 * fingerprint, a scripting client or an oddity says who is calling but not that an exploit was
 * tried (1, the indicator-match score of `Finding`).
 */
export function categoryScore(category: UserAgentCategory): number {
  return PAYLOAD_CATEGORIES.has(category) ? 2 : 1;
}

export interface UserAgentMatch {
  category: UserAgentCategory;
  /** Which rule matched, for tuning and suppression ("jndi-lookup", "scanner-name", …). */
  rule: string;
  /** The matched text, from the normalized (decoded, lower-case) User-Agent, at most {@link MAX_EXCERPT} characters. */
  matched: string;
  /** True when the match needed decoding (percent escapes, character references, Unicode forms). */
  decoded: boolean;
}

export interface UserAgentPatternOptions {
  /** Also flag generic scripting HTTP clients (curl, Wget, python-requests, Go-http-client, …). Default false. */
  flagScriptingClients?: boolean;
  /** User-Agents longer than this are flagged 'oversized' when nothing else matched; 0 disables. Default {@link DEFAULT_OVERSIZED_LENGTH}. */
  oversizedLength?: number;
  /** Extra case-insensitive substrings that identify a scanner (site-specific tools). */
  extraScannerTokens?: readonly string[];
}

/** Only this much of a User-Agent is analyzed (after which it is oversized anyway). */
export const MAX_ANALYZED_LENGTH = 8192;
/**
 * Default length past which a User-Agent is 'oversized'. Real ones stay well under 1,000
 * characters (in-app browsers with many tokens reach ~400); common servers reject header lines
 * over 8 KiB, so only a client that builds the header on purpose sends more.
 */
export const DEFAULT_OVERSIZED_LENGTH = 8192;
/** Longest `matched` excerpt. */
export const MAX_EXCERPT = 80;

// ---------------------------------------------------------------------------------------------
// Normalization

const PERCENT_ESCAPE = /%(?:u([0-9a-f]{4})|([0-9a-f]{2}))/gi;
const NUMERIC_REFERENCE = /&#(?:x0{0,64}([0-9a-f]{1,6})|0{0,64}([0-9]{1,7}));?/gi;
const NAMED_REFERENCE = /&([a-z]{2,8});/gi;
const BACKSLASH_ESCAPE = /\\(?:x([0-9a-f]{2})|u\{([0-9a-f]{1,6})\}|u([0-9a-f]{4}))/gi;

/** HTML named references that spell characters an injection needs. */
const NAMED_CHARACTERS: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  amp: '&',
  colon: ':',
  semi: ';',
  lpar: '(',
  rpar: ')',
  lcub: '{',
  rcub: '}',
  lbrace: '{',
  rbrace: '}',
  lsqb: '[',
  rsqb: ']',
  dollar: '$',
  sol: '/',
  bsol: '\\',
  grave: '`',
  num: '#',
  excl: '!',
  equals: '=',
  percnt: '%',
  verbar: '|',
  vert: '|',
  period: '.',
  comma: ',',
  newline: '\n',
  tab: '\t',
};

function fromCode(hex: string | undefined, decimal: string | undefined, whole: string): string {
  const code = hex !== undefined ? parseInt(hex, 16) : decimal !== undefined ? parseInt(decimal, 10) : NaN;
  if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
  return String.fromCodePoint(code);
}

function decodeOnce(text: string): string {
  let out = text;
  if (out.indexOf('%') >= 0) out = out.replace(PERCENT_ESCAPE, (whole, u: string | undefined, b: string | undefined) => fromCode(u ?? b, undefined, whole));
  if (out.indexOf('&') >= 0) {
    out = out.replace(NUMERIC_REFERENCE, (whole, hex: string | undefined, dec: string | undefined) => fromCode(hex, dec, whole));
    out = out.replace(NAMED_REFERENCE, (whole, name: string) => NAMED_CHARACTERS[name.toLowerCase()] ?? whole);
  }
  if (out.indexOf('\\') >= 0) {
    out = out.replace(BACKSLASH_ESCAPE, (whole, x: string | undefined, braced: string | undefined, u: string | undefined) => fromCode(x ?? braced ?? u, undefined, whole));
  }
  return out;
}

/** The text the payload patterns run on: decoded up to three times, NFKC, lower case. */
export function normalizeUserAgent(userAgent: string): string {
  let text = userAgent.length > MAX_ANALYZED_LENGTH ? userAgent.slice(0, MAX_ANALYZED_LENGTH) : userAgent;
  for (let round = 0; round < 3; round += 1) {
    const next = decodeOnce(text);
    if (next === text) break;
    text = next;
  }
  return text.normalize('NFKC').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Log4j lookups

/** One innermost `${…}` (no nested braces or dollars inside). */
const INNER_LOOKUP = /\$\{([^{}$]{0,100})\}/g;
const CASE_LOOKUP = /^(?:lower|upper)\s*:(.*)$/s;
const DATE_LOOKUP = /^date\s*:\s*'([^']*)'$/s;

/**
 * Resolves the lookups attackers use to spell "jndi" in pieces: `${lower:j}` → "j",
 * `${::-j}` and `${env:NOPE:-j}` (default values) → "j", `${date:'j'}` → "j". Other lookups stay.
 */
export function collapseLookups(text: string): string {
  let current = text;
  for (let round = 0; round < 8 && current.indexOf('${') >= 0; round += 1) {
    const next = current.replace(INNER_LOOKUP, (whole, content: string) => {
      const fallback = content.lastIndexOf(':-');
      if (fallback >= 0) return content.slice(fallback + 2);
      const cased = CASE_LOOKUP.exec(content);
      if (cased) return cased[1] ?? '';
      const dated = DATE_LOOKUP.exec(content);
      if (dated) return dated[1] ?? '';
      return whole;
    });
    if (next === current) break;
    current = next;
  }
  return current;
}

const JNDI_LOOKUP = /\$\{\s{0,5}jndi\s{0,5}:[^}]{0,120}\}?/;
const JNDI_BARE = /\bjndi\s{0,5}:\s{0,5}(?:ldaps?|rmi|dns|iiop|corba|nds|nis|https?)\s{0,5}:[^\s]{0,100}/;

// ---------------------------------------------------------------------------------------------
// Shell commands

/**
 * Commands that are not ordinary words and that no HTTP client uses as its name: seen at the
 * start of the header, bare or with arguments, they make it a command line.
 */
const DISTINCT_COMMANDS = [
  'id', 'whoami', 'uname', 'hostname', 'ifconfig', 'ipconfig', 'netstat', 'nslookup', 'traceroute', 'tracert',
  'strace', 'ltrace', 'nohup', 'chmod', 'chown', 'chgrp', 'crontab', 'useradd', 'usermod', 'passwd', 'printenv',
  'systemctl', 'busybox', 'mkfifo', 'xxd', 'certutil', 'bitsadmin', 'powershell', 'pwsh', 'wmic', 'rundll32',
  'regsvr32', 'mshta', 'cmd', 'cmd.exe', 'bash', 'zsh', 'ksh', 'tcsh', 'csh', 'sh', 'ncat', 'netcat', 'socat',
  'nc', 'tftp', 'sudo', 'visudo', 'ls', 'cat', 'pwd', 'dd', 'tasklist', 'taskkill', 'cscli', 'knife', 'chef',
  'chef-client', 'chef-shell', 'chef-run', 'chef-vault', 'chef-solo', 'chef-apply', 'chef-zero', 'ansible',
  'ansible-playbook', 'ansible-galaxy', 'ansible-vault', 'ansible-config', 'ansible-doc', 'ansible-inventory',
  'ansible-pull', 'ansible-console', 'ansible-test', 'ansible-connection', 'kubectl', 'docker', 'lsof', 'getent',
  'setfacl', 'iptables', 'sysctl', 'modprobe', 'insmod', 'dmesg',
] as const;

/**
 * Commands that are also words or client names (a bare "Wget" or "Ruby" is a client's
 * User-Agent): they count only with shell-style arguments.
 */
const WORD_COMMANDS = [
  'time', 'set', 'env', 'export', 'perf', 'echo', 'printf', 'find', 'grep', 'egrep', 'awk', 'sed', 'xargs',
  'sort', 'kill', 'killall', 'pkill', 'touch', 'head', 'tail', 'more', 'less', 'cd', 'cp', 'mv', 'rm', 'ln',
  'mkdir', 'rmdir', 'tar', 'zip', 'unzip', 'gzip', 'base64', 'sleep', 'ping', 'dig', 'host', 'telnet', 'ssh',
  'scp', 'ftp', 'ruby', 'python', 'python2', 'python3', 'perl', 'php', 'node', 'java', 'lua', 'wget', 'curl',
  'fetch', 'lwp-download', 'lwp-request', 'su', 'mount', 'service', 'history', 'eval', 'exec', 'source', 'type',
  'net', 'dash', 'nl', 'od', 'tac', 'dir', 'del', 'copy', 'reg', 'schtasks', 'timeout', 'watch', 'nice', 'openssl',
  'tee', 'uniq', 'cut', 'tr', 'wc', 'ps', 'who', 'w', 'last', 'systeminfo', 'whereis', 'which',
] as const;

function alternation(words: readonly string[]): string {
  const unique = [...new Set(words)].sort((a, b) => b.length - a.length);
  return unique.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

const DISTINCT = alternation(DISTINCT_COMMANDS);
const ANY_COMMAND = alternation([...DISTINCT_COMMANDS, ...WORD_COMMANDS]);
/** A command word ends at whitespace, a quote, a shell operator or the end: not at "/" (a product token) or "-" (a longer name). */
const WORD_END = `(?=$|[\\s'"\`;|&<>)(])`;
/** What a shell argument starts with: a flag, a path, a variable, a quote, a redirection, an assignment, a URL. */
const SHELL_ARGUMENT = `(?:-{1,2}[a-z0-9]|\\+[a-z]|[/~$'"\`<>|&;]|\\.{1,2}/|[a-z]{1,12}=|(?:https?|ftp)://)`;

/** "cmd" or "cmd args", the whole header, for distinct commands; optional surrounding quotes. */
const COMMAND_LINE_DISTINCT = new RegExp(`^['"\`]?(?:${DISTINCT})['"\`]?${WORD_END}(?:\\s.{0,400})?$`, 's');
/** "cmd -x …", "cmd /path", … for word commands; or a command prefix followed by a distinct command ("time ifconfig"). */
const COMMAND_LINE_WORD = new RegExp(`^['"\`]?(?:${ANY_COMMAND})['"\`]?\\s{1,5}(?:${SHELL_ARGUMENT}|(?:${DISTINCT})${WORD_END})`);
/** "a=nc…", "code=ansible-console": a shell variable assigned a command. */
const COMMAND_ASSIGNMENT = new RegExp(`^[a-z_][a-z0-9_]{0,30}=['"]?(?:${ANY_COMMAND})${WORD_END}`);
/** A `product/version` token: its presence means the header is a client's, not a command line. */
const PRODUCT_TOKEN = /(?:^|\s)[a-z][\w.+-]{0,40}\/v?\d/;

/** A separator that chains or substitutes commands, then a command. `;` is common in comments, so it needs more, below. */
const CHAINED_COMMAND = new RegExp(`(?:\\|\\|?|&&|\`|\\$\\(|\\n|\\r)\\s{0,5}['"]?(?:${ANY_COMMAND})${WORD_END}`);
/**
 * `;` then a command that is followed by an argument or ends the header: "; cat /etc/passwd",
 * ";id", "…;wget http://…". Browser comments ("; Touch;", "; rv:11.0") do not have that shape.
 */
const SEMICOLON_COMMAND = new RegExp(`;\\s{0,5}(?:${ANY_COMMAND})(?:\\s{1,5}${SHELL_ARGUMENT}|\\s{0,5}$)`);
/** The header starts with a shell operator and a word: ";env", "|id", "&& ls". */
const LEADING_OPERATOR = /^['"]?\s{0,5}(?:;|\|\|?|&&?|`)\s{0,5}[a-z]/;
const COMMAND_SUBSTITUTION = /\$\(\s{0,5}[a-z(]/;
const REVERSE_SHELL = new RegExp(
  [
    '/dev/(?:tcp|udp)/',
    '\\b(?:nc|ncat|netcat)(?:\\.exe)?\\s{1,5}(?:-[a-z]{0,5}\\s{1,5}){0,4}-[a-z]{0,5}[elvp]',
    '-nlvp\\b',
    '\\bmkfifo\\s',
    '\\b(?:ba|z|k|tc|c|da)?sh\\s{1,5}-[ic]\\b',
    '(?:^|[\\s;|&`\'"(])/bin/(?:ba|z|k|tc|c|da)?sh\\b',
    '\\bsocket\\.socket\\s{0,5}\\(',
    '\\bpowershell(?:\\.exe)?\\s{1,5}-(?:e|enc|encodedcommand|nop|w|c)\\b',
  ].join('|'),
);
const DOWNLOAD_AND_RUN = new RegExp(
  `\\b(?:wget|curl|fetch|lwp-download|lwp-request|tftp)\\s{1,5}(?:-{1,2}[\\w-]{1,20}(?:\\s{1,5}[^\\s-][^\\s]{0,60})?\\s{1,5}){0,5}['"]?(?:https?|ftp|tftp)://`,
);
/** Shellshock: an empty parameter list and a body, not glued to a name: "() { :; };", "Mozilla/5.0 () { _; }". */
const SHELLSHOCK = /(?:^|[^a-z0-9_:.-])\(\s{0,5}\)\s{0,5}\{/;
/** A named shell function definition: the classic fork bomb `f(){ f|f& };f`. */
const FUNCTION_DEFINITION = /[a-z0-9_:.-]\(\s{0,5}\)\s{0,5}\{/;
const SHELL_VARIABLE_TRICKS = /\$\{?ifs\b|\$\{?path:0:1|&&\s{0,5}\$[a-z_]/;

// ---------------------------------------------------------------------------------------------
// Other payloads

const CODE_INJECTION = new RegExp(
  [
    '<\\?(?:php|=)',
    // PHP functions that run commands or code, called with a quoted, variable or empty argument.
    '\\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|create_function|call_user_func(?:_array)?|preg_replace|include|require|include_once|require_once|file_get_contents|file_put_contents|fopen|fwrite|base64_decode|gzinflate|str_rot13|phpinfo|unserialize)\\s{0,5}\\(\\s{0,5}(?:[\'"`$]|\\))',
    // Java: reflection and process APIs, OGNL and EL idioms.
    '\\bruntime\\s{0,5}\\.\\s{0,5}getruntime\\b',
    '\\bgetruntime\\s{0,5}\\(\\s{0,5}\\)\\s{0,5}\\.\\s{0,5}exec\\b',
    '\\bjava\\.lang\\.(?:runtime|processbuilder|system|class|thread|reflect)\\b',
    '\\bnew\\s{1,5}java\\.',
    '\\bprocessbuilder\\s{0,5}\\(',
    '#_?memberaccess\\b',
    '@java\\.lang\\.',
    '\\bt\\s{0,5}\\(\\s{0,5}java\\.',
    '\\bscriptenginemanager\\b',
    // Node.js and Python.
    '\\bchild_process\\b',
    '\\bprocess\\s{0,5}\\.\\s{0,5}mainmodule\\b',
    '\\bconstructor\\s{0,5}\\.\\s{0,5}constructor\\b',
    '__(?:import|class|globals|builtins|subclasses|mro|init|reduce)__',
    '\\bos\\s{0,5}\\.\\s{0,5}(?:system|popen|exec\\w{0,3})\\s{0,5}\\(',
    '\\bsubprocess\\s{0,5}\\.\\s{0,5}\\w{1,20}\\s{0,5}\\(',
  ].join('|'),
);

const DESERIALIZATION = new RegExp(
  [
    // Java serialization stream header, base64 ("rO0AB") and hex.
    '\\bro0ab',
    '\\baced0005',
    // PHP serialized objects and arrays.
    '\\bo:\\d{1,4}:"[\\w\\\\]{1,100}":\\d{1,4}:\\{',
    '\\ba:\\d{1,4}:\\{\\s{0,5}[is]:\\d',
    // Gadget classes and libraries.
    '\\borg\\.apache\\.commons\\.collections',
    '\\bcom\\.sun\\.org\\.apache\\.xalan',
    '\\bjavax\\.(?:naming|management|script)\\b',
    '\\bjava\\.beans\\.xmldecoder\\b',
    '\\bysoserial\\b',
    '\\bbsh\\.interpreter\\b',
    '\\bgroovy\\.lang\\b',
    '\\bobjectdataprovider\\b',
    '\\bsystem\\.diagnostics\\.process\\b',
    '"\\$type"\\s{0,5}:\\s{0,5}"system\\.',
    // YAML tags that build objects.
    '!!(?:python|javax?|ruby|php)\\b',
  ].join('|'),
);

/** Names an SSTI probe uses that are single identifiers (everything else needs an operator to count). */
const TEMPLATE_PROBE_NAMES = 'config|self|request|settings|_self|app|lipsum|cycler|joiner|namespace|session|env';
const TEMPLATE_INJECTION = new RegExp(
  [
    // `${…}` with anything but a plain unresolved variable name ("${APP_NAME}").
    `\\$\\{(?!\\s{0,5}[a-z_][a-z0-9_]{0,40}\\s{0,5}\\})[^}]{0,200}\\}?`,
    `\\$\\{\\s{0,5}(?:${TEMPLATE_PROBE_NAMES}|hostname|java|sys|env|ctx|main|k8s|docker|spring)\\s{0,5}\\}`,
    // `{{…}}`, `{%…%}`, `#{…}`, `*{…}`, `@{…}`, `%{…}` with an expression (operator, call, attribute, index, string) or a probe name.
    `(?:\\{\\{|\\{%|[#*@]\\{)(?=[^}]{0,200}[-+*/%()\\[\\].'"|!<>=~])[^}]{0,200}\\}`,
    `\\{\\{\\s{0,5}(?:${TEMPLATE_PROBE_NAMES})\\s{0,5}\\}\\}`,
    '%\\{\\s{0,5}[(#@]',
    '<%[=@#!]?[^%]{0,200}%>',
    '<%=',
    '\\$\\$\\{',
  ].join('|'),
);

const SQL_INJECTION = new RegExp(
  [
    // A quote that closes a string, then a boolean operator and an operand: `' OR '1'='1`, `" and 1=1`.
    '[\'"`]\\s{0,5}\\){0,3}\\s{0,5}(?:or|and|xor|\\|\\||&&)\\s{0,5}\\({0,3}\\s{0,5}(?:[\'"`\\d(@]|(?:not|true|false|null|sleep|select|exists|if|case|char|ascii|substr\\w{0,6})\\b)',
    '\\b(?:or|and)\\s{1,5}(?:\\d{1,10}|\'[^\']{0,20}\'|"[^"]{0,20}")\\s{0,5}(?:=|<>|!=|<=?|>=?|\\blike\\b)\\s{0,5}(?:\\d|\'|")',
    // A quote, then a statement separator, comment or statement keyword.
    '[\'"`]\\s{0,5}\\){0,3}\\s{0,5}(?:--|#|/\\*|;\\s{0,5}(?:$|--|#|(?:drop|select|insert|update|delete|shutdown|exec|declare|waitfor|create|alter|truncate|union)\\b))',
    '[\'"`]\\s{0,5}\\){0,3}\\s{0,5}(?:union|select|insert|update|delete|drop|exec|execute|declare|having|order\\s{1,5}by|group\\s{1,5}by)\\b',
    '\\bunion(?:\\s|/\\*[^*]{0,40}\\*/|\\(|\\+){1,10}(?:all(?:\\s|/\\*[^*]{0,40}\\*/|\\(|\\+){1,10})?select\\b',
    '\\bselect\\s{1,5}(?:\\*|@@|null\\b|count\\s{0,5}\\(|concat|group_concat|top\\s{1,5}\\d|distinct\\b|\\d{1,5}\\s{0,5},)',
    '\\bselect\\b[^;]{0,100}\\bfrom\\s{1,5}(?:information_schema|mysql\\.|sys\\.|dual\\b|pg_\\w|sqlite_master)',
    ';\\s{0,5}(?:drop|truncate|alter|create)\\s{1,5}(?:table|database|user)\\b',
    ';\\s{0,5}(?:shutdown|waitfor|declare|exec(?:ute)?\\s{1,5}(?:xp_|sp_|master\\.))',
    '\\b(?:sleep|benchmark|pg_sleep|randomblob|load_file|extractvalue|updatexml|dbms_pipe\\.receive_message|utl_inaddr\\.\\w{1,30}|utl_http\\.\\w{1,30})\\s{0,5}\\(',
    '\\bwaitfor\\s{1,5}(?:delay|time)\\s{1,5}[\'"]',
    '\\b(?:xp_cmdshell|information_schema|sysobjects|syscolumns|sqlite_master)\\b',
    '@@(?:version|datadir|hostname|basedir)\\b',
  ].join('|'),
);

const XSS = new RegExp(
  [
    '<\\s{0,5}/?\\s{0,5}(?:script|iframe|frame|frameset|object|embed|applet|svg|math|base|meta|link|style|form|isindex|body|img|video|audio|marquee|details|input|image|xss)\\b',
    '\\b(?:java|vb|live|mocha)script\\s{0,5}:',
    '<[a-z][^>]{0,200}?\\bon[a-z]{3,25}\\s{0,5}=',
    '[\'"]\\s{0,5}(?:>|/)?\\s{0,5}on[a-z]{3,25}\\s{0,5}=',
    '\\bdata\\s{0,5}:\\s{0,5}(?:text/html|image/svg|application/(?:x-)?javascript)',
    '\\b(?:alert|prompt|confirm)\\s{0,5}(?:\\(|`)\\s{0,5}(?:\\d|[\'"`]|document|window|\\))',
    '\\bdocument\\s{0,5}\\.\\s{0,5}(?:cookie|domain|write|location)\\b',
    '\\bexpression\\s{0,5}\\(',
    '<!--\\s{0,5}#\\s{0,5}(?:exec|include|echo|config|set|printenv|fsize|flastmod)\\b',
  ].join('|'),
);

const PATH_TRAVERSAL = /(?:^|[\s/\\'"=:;(])\.{2,3}[/\\]|[/\\]\.{2}(?:[/\\;]|$)|\.\.;\//;
const SENSITIVE_FILE = new RegExp(
  [
    '/etc/(?:passwd|shadow|group|hosts|issue|hostname|sudoers|crontab|environment|resolv\\.conf|security/)',
    '/proc/(?:self|\\d{1,7})/(?:environ|cmdline|fd|maps|status|cwd|exe|root)',
    '/var/log/',
    '/root/\\.',
    '\\.ssh/(?:id_[a-z0-9]{2,10}|authorized_keys)',
    '\\b(?:win|boot|system)\\.ini\\b',
    'c:\\\\+(?:windows|winnt|inetpub|boot\\.ini)',
    '\\\\windows\\\\(?:system32|win\\.ini)',
    '\\bweb-inf/',
    '/\\.(?:env|git/config|htpasswd|htaccess|aws/credentials)\\b',
  ].join('|'),
);

const OOB_CALLBACK = new RegExp(
  `\\b(?:${alternation([
    'burpcollaborator.net',
    'oastify.com',
    'interact.sh',
    'interactsh.com',
    'oast.pro',
    'oast.live',
    'oast.site',
    'oast.online',
    'oast.fun',
    'oast.me',
    'dnslog.cn',
    'dnslog.link',
    'ceye.io',
    'bxss.me',
    'xss.ht',
    'xss.report',
    'canarytokens.com',
    'requestrepo.com',
    'webhook.site',
    'pingb.in',
  ])})\\b`,
);

// ---------------------------------------------------------------------------------------------
// Tools

/**
 * Attack and reconnaissance tools that name themselves in the User-Agent by default: SQL
 * injection tools, web vulnerability scanners, content discovery and fuzzers, CMS scanners,
 * brute-forcers and internet-wide port scanners. Matched as whole names (not inside a longer word).
 */
const SCANNER_NAMES = [
  // SQL and NoSQL injection
  'sqlmap', 'sqlninja', 'sqlsus', 'bsqlbf', 'havij', 'mysqloit', 'absinthe', 'pangolin', 'ghauri', 'jsql',
  'nosqlmap',
  // vulnerability scanners and DAST suites
  'nikto', 'libwhisker', 'nessus', 'openvas', 'nasl', 'nuclei', 'jaeles', 'acunetix', 'awvs', 'netsparker',
  'invicti', 'appscan', 'webinspect', 'qualysguard', 'qualys', 'nexpose', 'appspider', 'arachni', 'w3af',
  'skipfish', 'wapiti', 'owasp zap', 'zaproxy', 'paros', 'burpsuite', 'burp suite', 'burp collaborator',
  'grendel-scan', 'n-stealth', 'nstealth', 'n-stalker', 'webshag', 'uniscan', 'golismero', 'detectify',
  'ironwasp', 'nettacker', 'vega/', 'f-secure radar', 'sitelockspider', 'cisco-torch', 'cgichk', 'nsauditor',
  'fhscan', 'metasploit', 'whatweb', 'whatwaf',
  // injection specialists: command, XSS, template, file inclusion, CRLF
  'commix', 'xsstrike', 'xsser', 'dalfox', 'sstimap', 'tplmap', 'tinja', 'fimap', 'kadimus', 'lfisuite', 'lfimap',
  'panoptic', 'dotdotpwn', 'crlfuzz',
  // content discovery, fuzzers and API route discovery
  'dirbuster', 'dirb', 'gobuster', 'feroxbuster', 'dirsearch', 'ffuf', 'fuzz faster', 'wfuzz', 'jbrofuzz',
  'shortscan', 'kiterunner', 'pmafind',
  // GraphQL
  'graphw00f', 'graphql-cop',
  // CMS scanners
  'wpscan', 'wprecon', 'joomscan', 'droopescan', 'cmsmap', 'cmseek',
  // secret verifiers (a leaked key being tried against the API)
  'trufflehog', 'noseyparker',
  // brute-forcers, probing bots and internet-wide scanners
  '(hydra)', 'thc-hydra', 'brutus', 'zmeu', 'morfeus', 'jorgee', 'masscan', 'zgrab', 'zmap', 'nmap',
  'nmap scripting engine', 'censysinspect', 'projectdiscovery', 'netlab360', 'leakix', 'l9explore', 'l9tcpid',
] as const;

/** Self-descriptions of attack tooling, and skipfish's "Mozilla/5.0 SF/<version>". */
const SCANNER_PHRASE = new RegExp(
  [
    'security[\\s_-]?(?:scan|analy[sz]er)',
    'vuln(?:erability)?[\\s_-]?scan',
    '\\bexploit(?:s|ing|er)?\\b',
    '(?:^|[\\s_-])pwn(?:er|ed)?(?:$|[\\s_/-])',
    '\\bauto[\\s_-]?rooter\\b',
    '\\bsql[\\s_-]?(?:power[\\s_-]?)?inject',
    '^mozilla/5\\.0 sf/',
  ].join('|'),
);

function scannerPattern(extra: readonly string[]): RegExp {
  const names = [...SCANNER_NAMES, ...extra.map((token) => token.toLowerCase()).filter((token) => token.length > 0)];
  return new RegExp(`(?<![a-z0-9])(?:${alternation(names)})(?![a-z])`);
}

const DEFAULT_SCANNER = scannerPattern([]);

/**
 * Generic HTTP libraries and command-line clients. APIs are legitimately called by scripts, so
 * these count only when the deployment asks for it.
 */
const SCRIPTING_CLIENT = new RegExp(
  [
    `^(?:${alternation([
      'curl',
      'wget',
      'python-requests',
      'python-urllib',
      'python-httpx',
      'python-httplib2',
      'httplib2',
      'python',
      'aiohttp',
      'httpie',
      'go-http-client',
      'libwww-perl',
      'lwp-trivial',
      'dav.pm',
      'php',
      'guzzlehttp',
      'java',
      'apache-httpclient',
      'jakarta commons-httpclient',
      'ruby',
      'typhoeus',
      'faraday',
      'rest-client',
      'node-fetch',
      'undici',
      'node',
      'axios',
      'got',
      'winhttp',
      'winhttp.winhttprequest',
      'restsharp',
      'libcurl',
      'pycurl',
      'urllib3',
      'scrapy',
      'reqwest',
    ])})(?=$|[/\\s;(])`,
    '\\bwindowspowershell/',
    // A bare "Mozilla/x.y", optionally "(compatible…)" with at most two short tokens and no OS: a script's idea of a browser.
    '^mozilla/\\d{1,2}\\.\\d{1,2}\\s{0,3}(?:\\(\\s{0,3}compatible\\s{0,3}(?:;(?!\\s{0,3}windows nt)[^;)]{0,20}){0,2}\\))?$',
  ].join('|'),
);

/** "User-Agent: …" inside the value (a script that pasted the whole header line). */
const HEADER_NAME_IN_VALUE = /^user[\s_-]?agent\s{0,5}[:=]/;
/** The first product token, when it is a word with a version: "mozilla/5.0" → ["mozilla", "5.0"]. */
const FIRST_PRODUCT = /^([a-z]{4,10})(?:\/([^\s(;]{0,20})|(?=$|[\s(;]))/;
const MOZILLA_VERSION = /^\d{1,2}(?:\.\d{1,2})?$/;

/** Levenshtein distance, stopping early past `limit` (inputs are at most 10 characters). */
function editDistance(a: string, b: string, limit: number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      if (value < best) best = value;
    }
    if (best > limit) return best;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A misspelled "Mozilla" ("Mozlila", "Mozila") or a Mozilla token with a non-numeric version ("Mozilla/5.g"). */
function malformedBrowser(text: string): string | undefined {
  const header = HEADER_NAME_IN_VALUE.exec(text);
  if (header) return header[0];
  const product = FIRST_PRODUCT.exec(text);
  if (!product) return undefined;
  const name = product[1] ?? '';
  const version = product[2] ?? '';
  if (name === 'mozilla') return product[2] !== undefined && MOZILLA_VERSION.test(version) ? undefined : product[0];
  if (name.charCodeAt(0) === 0x6d /* m */ && editDistance(name, 'mozilla', 2) <= 2) return product[0];
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Matching

interface Rule {
  category: UserAgentCategory;
  rule: string;
  pattern: RegExp;
}

/** Payload rules in the order they are tried: the first that matches names the category. */
const PAYLOAD_RULES: readonly Rule[] = [
  { category: 'shellshock', rule: 'shellshock-function', pattern: SHELLSHOCK },
  { category: 'deserialization', rule: 'serialized-object', pattern: DESERIALIZATION },
  { category: 'code_injection', rule: 'code-execution', pattern: CODE_INJECTION },
  { category: 'command_injection', rule: 'reverse-shell', pattern: REVERSE_SHELL },
  { category: 'command_injection', rule: 'download-and-run', pattern: DOWNLOAD_AND_RUN },
  { category: 'command_injection', rule: 'command-substitution', pattern: COMMAND_SUBSTITUTION },
  { category: 'command_injection', rule: 'chained-command', pattern: CHAINED_COMMAND },
  { category: 'command_injection', rule: 'semicolon-command', pattern: SEMICOLON_COMMAND },
  { category: 'command_injection', rule: 'shell-function', pattern: FUNCTION_DEFINITION },
  { category: 'command_injection', rule: 'shell-variable', pattern: SHELL_VARIABLE_TRICKS },
  { category: 'template_injection', rule: 'template-expression', pattern: TEMPLATE_INJECTION },
  { category: 'xss', rule: 'script-markup', pattern: XSS },
  { category: 'sql_injection', rule: 'sql-syntax', pattern: SQL_INJECTION },
  { category: 'path_traversal', rule: 'dot-dot-slash', pattern: PATH_TRAVERSAL },
  { category: 'sensitive_file', rule: 'sensitive-path', pattern: SENSITIVE_FILE },
  { category: 'oob_callback', rule: 'oast-domain', pattern: OOB_CALLBACK },
  { category: 'command_injection', rule: 'leading-operator', pattern: LEADING_OPERATOR },
];

/** Line breaks (raw or decoded): header injection. */
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /[\r\n\u2028\u2029\u0085]/;
/** Other control characters (tab is allowed). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f]/;

function excerpt(text: string, index: number, length: number): string {
  return text.slice(index, index + Math.max(1, Math.min(length, MAX_EXCERPT)));
}

function found(category: UserAgentCategory, rule: string, text: string, match: RegExpExecArray, decoded: boolean): UserAgentMatch {
  return { category, rule, matched: excerpt(text, match.index, match[0].length), decoded };
}

/** Precompiled matcher for one set of options. */
export class UserAgentMatcher {
  private readonly scanner: RegExp;
  private readonly flagScripting: boolean;
  private readonly oversizedLength: number;

  constructor(options: UserAgentPatternOptions = {}) {
    const extra = options.extraScannerTokens ?? [];
    this.scanner = extra.length > 0 ? scannerPattern(extra) : DEFAULT_SCANNER;
    this.flagScripting = options.flagScriptingClients ?? false;
    this.oversizedLength = Math.max(0, options.oversizedLength ?? DEFAULT_OVERSIZED_LENGTH);
  }

  /** The first reason the User-Agent is suspicious, or undefined. Never throws. */
  match(userAgent: string): UserAgentMatch | undefined {
    const raw = userAgent.length > MAX_ANALYZED_LENGTH ? userAgent.slice(0, MAX_ANALYZED_LENGTH) : userAgent;
    const rawLower = raw.toLowerCase();
    const text = normalizeUserAgent(raw);
    const decoded = text !== rawLower;

    const lineBreak = LINE_BREAK.exec(text);
    if (lineBreak) {
      return { category: 'header_injection', rule: 'line-break', matched: excerpt(text, Math.max(0, lineBreak.index - 20), 40), decoded: !LINE_BREAK.test(raw) };
    }

    // Log4Shell first: its lookups also look like template expressions.
    if (text.indexOf('jndi') >= 0 || text.indexOf('${') >= 0) {
      const collapsed = collapseLookups(text);
      const jndi = JNDI_LOOKUP.exec(collapsed) ?? JNDI_BARE.exec(collapsed);
      if (jndi) return found('jndi', 'jndi-lookup', collapsed, jndi, decoded || collapsed !== text);
    }

    for (const { category, rule, pattern } of PAYLOAD_RULES) {
      const hit = pattern.exec(text);
      if (hit) return found(category, rule, text, hit, decoded);
    }

    const commandLine = this.commandLine(text);
    if (commandLine) return { category: 'shell_command', rule: 'command-line', matched: excerpt(commandLine, 0, commandLine.length), decoded };

    const control = CONTROL.exec(text);
    if (control) return { category: 'control_characters', rule: 'control-character', matched: excerpt(text, Math.max(0, control.index - 20), 40), decoded: !CONTROL.test(raw) };

    const tool = this.scanner.exec(text);
    if (tool) return found('scanner', 'scanner-name', text, tool, decoded);
    const phrase = SCANNER_PHRASE.exec(text);
    if (phrase) return found('scanner', 'scanner-phrase', text, phrase, decoded);

    const malformed = malformedBrowser(text.trimStart());
    if (malformed !== undefined) return { category: 'malformed', rule: 'malformed-browser', matched: excerpt(malformed, 0, malformed.length), decoded };

    if (this.oversizedLength > 0 && userAgent.length > this.oversizedLength) {
      return { category: 'oversized', rule: 'oversized', matched: `${userAgent.length} characters`, decoded: false };
    }

    if (this.flagScripting) {
      const client = SCRIPTING_CLIENT.exec(text.trimStart());
      if (client) return { category: 'scripting_client', rule: 'scripting-client', matched: excerpt(client[0], 0, client[0].length), decoded };
    }
    return undefined;
  }

  /** The header, when all of it is a shell command line. */
  private commandLine(text: string): string | undefined {
    const line = text.trim();
    if (line.length === 0 || line.indexOf('(') >= 0 || PRODUCT_TOKEN.test(line)) return undefined;
    if (COMMAND_LINE_DISTINCT.test(line) || COMMAND_LINE_WORD.test(line) || COMMAND_ASSIGNMENT.test(line)) return line;
    return undefined;
  }
}
