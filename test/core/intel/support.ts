/**
 * Test helpers for the intel lists and detectors: request events from a client IP, and the
 * public evaluation data beside the repository (../shared/data; tests only).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { makeEndpoint, type RequestEvent } from '../../../shared/core/requestEvent';

import { DATA_DIR, REPO_ROOT } from '../../support/sharedData';

export { DATA_DIR, REPO_ROOT };

export const TOR_2026 = path.join(DATA_DIR, 'tor/tor-exit-relay-ips-2026-08-22.txt');
export const TOR_2024 = path.join(DATA_DIR, 'tor/tor-exit-nodes-2024-02-27.lst');
export const IPSUM_LEVEL3 = path.join(DATA_DIR, 'threat-intel/ipsum-level3-2026-08-22.txt');
export const IPSUM_FULL = path.join(DATA_DIR, 'threat-intel/ipsum-2026-08-22.txt.gz');

/** A data file's text, gunzipped when it ends in .gz. */
export function dataText(file: string): string {
  const raw = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

/** A data file's non-comment, non-blank lines, first column only. */
export function dataFirstColumn(file: string): string[] {
  return dataText(file)
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/)[0] ?? '')
    .filter((value) => value !== '');
}

export const ENDPOINT = makeEndpoint({ service: 'contoso-apim', apiId: 'shop', operationId: 'get-product', pathTemplate: '' });

/** A GET from `clientIp` (through no proxy) at a fixed event time. */
export function requestFrom(clientIp: string, overrides: Partial<RequestEvent> = {}): RequestEvent {
  return {
    time: Date.parse('2026-08-23T10:00:00Z'),
    clientIp,
    callerIp: clientIp,
    method: 'GET',
    endpoint: ENDPOINT,
    path: '/shop/products/7',
    status: 200,
    requestSize: 0,
    requestSizeSource: 'totalBytes',
    responseSize: 512,
    responseSizeSource: 'totalBytes',
    latencyMs: 12,
    params: [],
    format: 'gatewayLogs',
    source: { partitionId: '2', sequenceNumber: 41, offset: '4096', recordIndex: 0 },
    ...overrides,
  };
}
