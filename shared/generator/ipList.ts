/**
 * Parsing of IP list files (Tor exit lists, threat-intel feeds). Pure: takes the text, not a path.
 */
import { canonicalIp } from './model';

export interface ParsedIpList {
  /** Valid IPs in canonical text form, deduplicated, in file order. */
  ips: string[];
  /** Entries that were not a single IP address (CIDR ranges, host names, garbage), with their line number. */
  rejected: Array<{ line: number; text: string }>;
}

/**
 * Parses one IP per line. Blank lines and `#` comments (whole-line or trailing) are ignored; a line
 * may carry more columns after the address separated by whitespace or a comma (IPsum's
 * "IP<TAB>count" format), of which only the first is used.
 */
export function parseIpList(text: string): ParsedIpList {
  const ips: string[] = [];
  const rejected: ParsedIpList['rejected'] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (content === '') return;
    const first = content.split(/[\s,;]+/)[0] ?? '';
    const ip = canonicalIp(first);
    if (ip === undefined) {
      rejected.push({ line: i + 1, text: first });
    } else if (!seen.has(ip)) {
      seen.add(ip);
      ips.push(ip);
    }
  });
  return { ips, rejected };
}
