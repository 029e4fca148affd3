import assert from 'node:assert/strict';

import { CidrSet } from '../../../shared/core/ip';
import { parseMessage, type ParseOptions, type ParseResult, type Rejection } from '../../../shared/core/parse';
import type { RequestEvent } from '../../../shared/core/requestEvent';
import { MESSAGE } from '../../fixtures/records';

export function trusted(...entries: string[]): CidrSet {
  const parsed = CidrSet.parse(entries);
  assert.ok(parsed.ok, `bad test CIDRs: ${entries.join(', ')}`);
  return parsed.set;
}

export const OPTIONS: ParseOptions = { trustedProxies: trusted('10.0.0.0/8', '2001:db8:ffff::/48'), maxRawChars: 4096 };

export function parse(body: unknown, options: ParseOptions = OPTIONS): ParseResult[] {
  return parseMessage(body, MESSAGE, options);
}

/** Parses a body that must hold exactly one record, which must become an event. */
export function parseOneEvent(body: unknown, options: ParseOptions = OPTIONS): RequestEvent {
  const results = parse(body, options);
  assert.equal(results.length, 1, `expected one result, got ${JSON.stringify(results)}`);
  const [result] = results;
  assert.ok(result !== undefined && result.kind === 'event', `expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

/** Parses a body that must hold exactly one record, which must be rejected. */
export function parseOneRejection(body: unknown, options: ParseOptions = OPTIONS): Rejection {
  const results = parse(body, options);
  assert.equal(results.length, 1, `expected one result, got ${JSON.stringify(results)}`);
  const [result] = results;
  assert.ok(result !== undefined && result.kind === 'rejected', `expected a rejection, got ${JSON.stringify(result)}`);
  return result.rejection;
}
