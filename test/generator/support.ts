/**
 * Test helpers for the generator: flatten messages into records with the fields tests look at,
 * and locate the public evaluation data (../shared/data, beside the repository; tests only).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { GeneratedMessage } from '../../shared/generator';

import { DATA_DIR, REPO_ROOT } from '../support/sharedData';

export { DATA_DIR, REPO_ROOT };

export const TOR_LIST = path.join(DATA_DIR, 'tor/tor-exit-nodes-2024-02-27.lst');
export const INTEL_LEVEL3 = path.join(DATA_DIR, 'threat-intel/ipsum-level3-2026-08-22.txt');
export const INTEL_FULL_GZ = path.join(DATA_DIR, 'threat-intel/ipsum-2026-08-22.txt.gz');

/** Reads a data file as lines (gunzipping .gz), without blank lines and comments. */
export function dataLines(file: string): string[] {
  const raw = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}

export interface FlatRecord {
  /** Epoch ms (sub-ms ticks dropped). */
  ms: number;
  timeText: string;
  /** Client IP: X-Forwarded-For when logged, else callerIpAddress. */
  clientIp: string;
  callerIp: string;
  service: string;
  method: string;
  url: URL;
  status: number;
  apiId: string;
  operationId: string;
  /** Endpoint identity: apiId/operationId, or "METHOD path" when no operation matched. */
  endpoint: string;
  requestSize: number;
  responseSize: number;
  durationMs: number;
  userAgent: string | undefined;
  query: Array<[string, string]>;
  raw: Record<string, unknown>;
  properties: Record<string, unknown>;
  partitionKey: string;
}

export function flatten(messages: Iterable<GeneratedMessage>): FlatRecord[] {
  const out: FlatRecord[] = [];
  for (const message of messages) {
    const body = JSON.parse(message.body) as { records: Array<Record<string, unknown>> };
    for (const raw of body.records) {
      const properties = raw['properties'] as Record<string, unknown>;
      const headers = properties['requestHeaders'] as Record<string, string> | undefined;
      const url = new URL(properties['url'] as string);
      const operationId = properties['operationId'] as string;
      const apiId = properties['apiId'] as string;
      const timeText = raw['time'] as string;
      const callerIp = raw['callerIpAddress'] as string;
      out.push({
        ms: Date.parse(timeText),
        timeText,
        clientIp: headers?.['X-Forwarded-For'] ?? callerIp,
        callerIp,
        service: ((raw['resourceId'] as string).split('/').pop() ?? '').toLowerCase(),
        method: properties['method'] as string,
        url,
        status: properties['responseCode'] as number,
        apiId,
        operationId,
        endpoint: operationId !== '' ? `${apiId}/${operationId}` : `${properties['method'] as string} ${url.pathname}`,
        requestSize: properties['requestSize'] as number,
        responseSize: properties['responseSize'] as number,
        durationMs: raw['durationMs'] as number,
        userAgent: headers?.['User-Agent'],
        query: [...url.searchParams.entries()],
        raw,
        properties,
        partitionKey: message.partitionKey,
      });
    }
  }
  return out;
}

/** Value at quantile q (0–1) of a list of numbers (nearest rank). */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const WINDOW_MS = 20 * 60_000;

/** Counts per 20-minute window (epoch-aligned) of the records a key function maps to the same key. */
export function windowCounts(records: FlatRecord[], key: (r: FlatRecord) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const k = key(r);
    if (k === undefined) continue;
    const id = `${Math.floor(r.ms / WINDOW_MS)}|${k}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Lower-cased substrings of the CRS scanner and scripting User-Agent lists (v4 and v3.3.10). */
export function crsUserAgentPatterns(): string[] {
  const files = [
    'coreruleset/v4-head/rules/scanners-user-agents.data',
    'coreruleset/v3.3.10/rules/scanners-user-agents.data',
    'coreruleset/v3.3.10/rules/scripting-user-agents.data',
  ];
  return files.flatMap((f) => dataLines(path.join(DATA_DIR, f))).map((l) => l.toLowerCase());
}
