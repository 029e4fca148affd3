/**
 * Helpers shared by the evaluation parts (scripts/eval/*): where the public data is, rates,
 * plain-text tables, GatewayLogs time stamps and a small buffered line writer.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { normalizeIp } from '../../shared/core/ip';
import { parseIpList } from '../../shared/generator';

/** A proportion with its counts; `rate` is null when there is nothing to divide by. */
export interface Rate {
  hits: number;
  total: number;
  rate: number | null;
}

export function rate(hits: number, total: number): Rate {
  return { hits, total, rate: total === 0 ? null : hits / total };
}

/** "93.4 %", or "–" when undefined. */
export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(digits)} %`;
}

/** "hits/total (93.4 %)". */
export function ratio(r: Rate, digits = 1): string {
  return `${r.hits}/${r.total} (${pct(r.rate, digits)})`;
}

/** Formats a number with thousands separators (a thin space would not survive every terminal). */
export function num(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const NUMERIC_CELL = /^(?:[-+]?[\d,]+(?:\.\d+)?(?: %)?|–|\d+\/\d+(?: \(.*\))?)$/;

/**
 * A plain-text table: a header row, a rule, the rows. Columns whose cells all look numeric
 * (digits, %, separators, "–") are right-aligned.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((row) => headers.map((_, i) => String(row[i] ?? '')));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => (row[i] as string).length)));
  const numeric = headers.map((_, i) => cells.length > 0 && cells.every((row) => NUMERIC_CELL.test(row[i] as string)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The package root (the directory holding package.json), from this file in scripts/ or dist/scripts/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return resolve(__dirname, '..', '..', '..');
}

/**
 * The public evaluation data (../shared/data beside the package, see its README.md), or
 * WARDEN_EVAL_DATA when set.
 */
export function defaultDataDir(): string {
  const fromEnv = process.env.WARDEN_EVAL_DATA;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return resolve(packageRoot(), '..', 'shared', 'data');
}

/** Paths of the data files the evaluation reads, relative to the data directory. */
export const DATA_FILES = {
  torExits: join('tor', 'tor-exit-relay-ips-2026-08-22.txt'),
  torExitsOld: join('tor', 'tor-exit-nodes-2024-02-27.lst'),
  ipsumLevel3: join('threat-intel', 'ipsum-level3-2026-08-22.txt'),
  ipsumFull: join('threat-intel', 'ipsum-2026-08-22.txt.gz'),
  csicTraining: join('csic2010', 'normalTrafficTraining.txt.gz'),
  csicNormalTest: join('csic2010', 'normalTrafficTest.txt.gz'),
  csicAnomalousTest: join('csic2010', 'anomalousTrafficTest.txt.gz'),
} as const;

/** Canonical IPs of a plain list file (one a line, `#` comments; extra columns ignored). */
export function readIpFile(path: string): string[] {
  return parseIpList(readFileSync(path, 'utf8'))
    .ips.map((ip) => normalizeIp(ip))
    .filter((ip): ip is string => ip !== undefined);
}

/** Canonical form of an IP for comparisons, or the text itself when it is not one. */
export function canonical(ip: string): string {
  return normalizeIp(ip) ?? ip;
}

/** APIM's time stamp: ISO 8601 with 7 fractional digits ("2026-09-08T12:02:21.2821234Z"). */
export function gatewayTime(ms: number, ticks = 0): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(Math.max(0, Math.min(9999, Math.floor(ticks)))).padStart(4, '0')}Z`;
}

/** Milliseconds as "1 min 23 s" / "4.2 s". */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

/** Appends lines to a file through a buffer, with synchronous writes (simple, and fast enough here). */
export class LineWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;
  lines = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(line: string): void {
    this.buffer.push(line);
    this.size += line.length + 1;
    this.lines += 1;
    if (this.size > 1 << 20) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.size = 0;
  }
}

/** A binary min-heap ordered by `time` (for merging extra messages into a time-ordered stream). */
export class TimeHeap<T extends { time: number }> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as T).time <= item.time) break;
      items[i] = items[parent] as T;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && (items[right] as T).time < (items[left] as T).time ? right : left;
      if ((items[child] as T).time >= last.time) break;
      items[i] = items[child] as T;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
