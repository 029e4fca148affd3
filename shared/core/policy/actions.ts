/**
 * API Warden's response actions as edits of a policy document. Every function is pure: policy
 * text in, policy text out, with a `changed` flag. When nothing changes, the input string is
 * returned as it was (not even re-serialized), so a no-op never shows up as a diff.
 *
 * API Warden's elements sit at the top of `<inbound>`, right after `<base />` (or first when
 * there is no base, as at global scope), in a fixed order: the block list, then the rate
 * limit, then the disable response. Each is preceded by its marker comment (document.ts).
 */
import type { Element } from '@xmldom/xmldom';

import {
  covers,
  intervalAddressText,
  parseAllowlist,
  parseRange,
  parseSingleAddress,
  parseTarget,
  refuseAllowlisted,
  sameInterval,
  type AddressInterval,
  type AddressOptions,
} from './addresses';
import { childElements, markerOf, PolicyDocument, type MarkerKind } from './document';
import { PolicyDocumentError } from './errors';

export interface BlockOptions extends AddressOptions {
  /** IPs and CIDRs that must never be blocked or rate-limited. */
  allowlist?: readonly string[];
}

export interface EditResult {
  xml: string;
  changed: boolean;
}

export interface BlockResult extends EditResult {
  /** Entries added by this call, as listBlocked reports them. */
  blocked: string[];
  /** Requested entries that API Warden's block list already covered. */
  alreadyBlocked: string[];
}

export interface UnblockResult extends EditResult {
  unblocked: string[];
  /** Requested entries that are not an entry of API Warden's block list (nothing to remove). */
  notBlocked: string[];
}

const ORDER: Record<MarkerKind, number> = { block: 0, 'rate-limit': 1, disable: 2 };

/** The node after which an element of `kind` goes: <base />, then any of ours that rank before it. */
function anchorFor(inbound: Element, kind: MarkerKind): Element | null {
  let anchor: Element | null = null;
  for (const child of childElements(inbound)) {
    if (child.nodeName === 'base' && anchor === null) anchor = child;
    const marker = markerOf(child);
    if (marker !== undefined && ORDER[marker] < ORDER[kind]) anchor = child;
  }
  return anchor;
}

function ourFilters(doc: PolicyDocument, inbound: Element): Element[] {
  return doc.marked(inbound, 'block').filter((element) => element.nodeName === 'ip-filter' && doc.attribute(element, 'action') === 'forbid');
}

interface Entry {
  element: Element;
  interval: AddressInterval | undefined;
  raw: string;
}

function entriesOf(doc: PolicyDocument, filter: Element): Entry[] {
  return childElements(filter).flatMap((element): Entry[] => {
    if (element.nodeName === 'address') {
      const raw = doc.text(element).trim();
      return [{ element, interval: parseSingleAddress(raw), raw }];
    }
    if (element.nodeName === 'address-range') {
      const from = doc.attribute(element, 'from') ?? '';
      const to = doc.attribute(element, 'to') ?? '';
      return [{ element, interval: parseRange(from.trim(), to.trim()), raw: `${from}-${to}` }];
    }
    return [];
  });
}

function parseTargets(addresses: readonly string[], options: AddressOptions): AddressInterval[] {
  if (!Array.isArray(addresses)) throw new PolicyDocumentError('invalid-argument', 'addresses must be an array of IPs or CIDRs');
  const out: AddressInterval[] = [];
  for (const address of addresses) {
    const target = parseTarget(address, options);
    if (!out.some((seen) => sameInterval(seen, target))) out.push(target);
  }
  return out;
}

/**
 * Adds IPs and CIDRs to API Warden's forbid ip-filter in <inbound>, creating it when missing.
 * Single IPs become `<address>`, CIDRs `<address-range>`. A target already covered by an entry
 * of API Warden's filter is left alone (idempotent). Refused, as a whole, when any target is
 * invalid, too broad, IPv6 without allowIpv6, or touches the allowlist.
 */
export function blockAddresses(xml: string, addresses: readonly string[], options: BlockOptions = {}): BlockResult {
  const targets = parseTargets(addresses, options);
  refuseAllowlisted(targets, parseAllowlist(options.allowlist));
  const doc = PolicyDocument.parse(xml);
  const inbound = doc.requireSection('inbound');
  const filters = ourFilters(doc, inbound);
  const present = filters.flatMap((filter) => entriesOf(doc, filter)).flatMap((entry) => (entry.interval ? [entry.interval] : []));

  const blocked: AddressInterval[] = [];
  const alreadyBlocked: string[] = [];
  for (const target of targets) {
    if (present.some((interval) => covers(interval, target)) || blocked.some((interval) => covers(interval, target))) {
      alreadyBlocked.push(target.text);
    } else {
      blocked.push(target);
    }
  }
  if (blocked.length === 0) return { xml, changed: false, blocked: [], alreadyBlocked };

  const filter = filters[0] ?? doc.insertMarked(inbound, anchorFor(inbound, 'block'), 'block', doc.create('ip-filter', { action: 'forbid' }));
  for (const target of blocked) {
    if (target.start === target.end) {
      const element = doc.create('address');
      element.appendChild(doc.doc.createTextNode(target.text));
      doc.appendChildLine(filter, element);
    } else {
      const from = intervalAddressText(target.family, target.start);
      const to = intervalAddressText(target.family, target.end);
      doc.appendChildLine(filter, doc.create('address-range', { from, to }));
    }
  }
  return { xml: doc.serialize(), changed: true, blocked: blocked.map((target) => target.text), alreadyBlocked };
}

/**
 * Removes exactly the given entries from API Warden's block list (an IP inside a blocked CIDR
 * is not carved out: unblock the CIDR). Removes the filter and its marker when it becomes
 * empty. The user's own ip-filter elements are never touched.
 */
export function unblockAddresses(xml: string, addresses: readonly string[]): UnblockResult {
  const targets = parseTargets(addresses, { minIpv4Prefix: 0, minIpv6Prefix: 0, allowIpv6: true });
  const doc = PolicyDocument.parse(xml);
  const inbound = doc.section('inbound');
  if (inbound === undefined) return { xml, changed: false, unblocked: [], notBlocked: targets.map((target) => target.text) };

  const unblocked = new Set<string>();
  for (const filter of ourFilters(doc, inbound)) {
    for (const entry of entriesOf(doc, filter)) {
      const interval = entry.interval;
      const target = interval === undefined ? undefined : targets.find((candidate) => sameInterval(candidate, interval));
      if (target === undefined) continue;
      doc.removeChildLine(entry.element);
      unblocked.add(target.text);
    }
    if (childElements(filter).length === 0) doc.removeMarked(filter);
  }
  const notBlocked = targets.map((target) => target.text).filter((text) => !unblocked.has(text));
  if (unblocked.size === 0) return { xml, changed: false, unblocked: [], notBlocked };
  return { xml: doc.serialize(), changed: true, unblocked: [...unblocked], notBlocked };
}

/** Entries of API Warden's block list, as "ip", "cidr" or "from-to"; unreadable entries as written. */
export function listBlocked(xml: string): string[] {
  const doc = PolicyDocument.parse(xml);
  const inbound = doc.section('inbound');
  if (inbound === undefined) return [];
  return ourFilters(doc, inbound).flatMap((filter) => entriesOf(doc, filter).map((entry) => entry.interval?.text ?? entry.raw));
}

export interface RateLimitOptions {
  key: 'ip';
  /** Calls allowed per renewal period per client IP, at least 1. */
  calls: number;
  /** Sliding window length in seconds: 1 to 300 (APIM's maximum for rate-limit-by-key). */
  renewalPeriodSeconds: number;
  /** Limit only these client IPs (single addresses); every client IP when absent or empty. */
  addresses?: readonly string[];
  allowlist?: readonly string[];
  allowIpv6?: boolean;
}

export const MAX_RENEWAL_PERIOD_SECONDS = 300;
export const MAX_RATE_LIMITED_ADDRESSES = 200;

/**
 * Counter key of API Warden's rate limit. Prefixed, because APIM shares one counter per key
 * value across every scope where a rate-limit-by-key uses it: a bare client IP would share
 * counters with a limit the user keyed on the IP themselves.
 */
export const RATE_LIMIT_COUNTER_KEY = '@("api-warden:" + context.Request.IpAddress)';

/**
 * Sets API Warden's `rate-limit-by-key` (one per document), replacing a previous one whose
 * settings differ. With `addresses`, an increment-condition counts only those client IPs, so
 * nobody else is ever throttled by it. Not available on the Consumption tier (APIM's limitation).
 */
export function setRateLimit(xml: string, options: RateLimitOptions): EditResult {
  if (options === null || typeof options !== 'object' || options.key !== 'ip') {
    throw new PolicyDocumentError('invalid-argument', "rate limit key must be 'ip'");
  }
  const { calls, renewalPeriodSeconds } = options;
  if (!Number.isSafeInteger(calls) || calls < 1) throw new PolicyDocumentError('invalid-argument', `calls must be an integer of at least 1, got ${String(calls)}`);
  if (!Number.isSafeInteger(renewalPeriodSeconds) || renewalPeriodSeconds < 1 || renewalPeriodSeconds > MAX_RENEWAL_PERIOD_SECONDS) {
    throw new PolicyDocumentError(
      'invalid-argument',
      `renewalPeriodSeconds must be an integer from 1 to ${MAX_RENEWAL_PERIOD_SECONDS}, got ${String(renewalPeriodSeconds)}`,
    );
  }
  const targets = parseTargets(options.addresses ?? [], { allowIpv6: options.allowIpv6 ?? false });
  const ranges = targets.filter((target) => target.start !== target.end).map((target) => target.text);
  if (ranges.length > 0) throw new PolicyDocumentError('invalid-argument', `rate limits take single IPs, not ranges: ${ranges.join(', ')}`, ranges);
  if (targets.length > MAX_RATE_LIMITED_ADDRESSES) {
    throw new PolicyDocumentError('invalid-argument', `at most ${MAX_RATE_LIMITED_ADDRESSES} addresses per rate limit, got ${targets.length}`);
  }
  refuseAllowlisted(targets, parseAllowlist(options.allowlist));

  const doc = PolicyDocument.parse(xml);
  const inbound = doc.requireSection('inbound');
  const attributes: Record<string, string> = {
    calls: String(calls),
    'renewal-period': String(renewalPeriodSeconds),
    'counter-key': RATE_LIMIT_COUNTER_KEY,
  };
  if (targets.length > 0) {
    const ips = targets.map((target) => target.text).sort();
    attributes['increment-condition'] = `@(${ips.map((ip) => `context.Request.IpAddress == "${ip}"`).join(' || ')})`;
  }

  const existing = doc.marked(inbound, 'rate-limit');
  const [only] = existing;
  if (existing.length === 1 && only !== undefined && sameAttributes(doc, only, attributes)) return { xml, changed: false };
  for (const element of existing) doc.removeMarked(element);
  const element = doc.create('rate-limit-by-key');
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value.startsWith('@') ? doc.expressions.add(value) : value);
  }
  doc.insertMarked(inbound, anchorFor(inbound, 'rate-limit'), 'rate-limit', element);
  return { xml: doc.serialize(), changed: true };
}

function sameAttributes(doc: PolicyDocument, element: Element, wanted: Record<string, string>): boolean {
  if (element.nodeName !== 'rate-limit-by-key' || element.attributes.length !== Object.keys(wanted).length) return false;
  return Object.entries(wanted).every(([name, value]) => doc.attribute(element, name) === value);
}

/** Removes API Warden's rate limit. */
export function removeRateLimit(xml: string): EditResult {
  return removeAllMarked(xml, 'rate-limit');
}

export interface DisableOptions {
  statusCode?: 403 | 404 | 503;
  /** Shown to callers as {"error": message}. Plain text; no policy expressions. */
  message?: string;
}

const REASONS: Record<403 | 404 | 503, string> = { 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };
const DEFAULT_DISABLED_MESSAGE = 'This operation is temporarily disabled.';
const MAX_MESSAGE_LENGTH = 500;

/**
 * Disables the operation whose policy this is: a marked `<return-response>` in <inbound>, after
 * <base /> (so outer-scope policies such as authentication and IP filtering still apply first)
 * and after API Warden's block list and rate limit. Replaces a previous disable with different
 * settings; identical settings change nothing. Use on operation-scope policies.
 */
export function disableOperation(xml: string, options: DisableOptions = {}): EditResult {
  const statusCode = options.statusCode ?? 503;
  if (!(statusCode in REASONS)) throw new PolicyDocumentError('invalid-argument', `statusCode must be 403, 404 or 503, got ${String(statusCode)}`);
  const message = options.message ?? DEFAULT_DISABLED_MESSAGE;
  if (typeof message !== 'string' || message.length === 0 || message.length > MAX_MESSAGE_LENGTH) {
    throw new PolicyDocumentError('invalid-argument', `message must be 1 to ${MAX_MESSAGE_LENGTH} characters`);
  }
  // An "@(" or "@{" would be taken for a policy expression; XML-invalid characters cannot be written.
  if (/@[({]/.test(message) || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(message) || message.includes('__api_warden_expr_')) {
    throw new PolicyDocumentError('invalid-argument', 'message must be plain text without "@(" or "@{" and without control characters');
  }
  const body = JSON.stringify({ error: message });

  const doc = PolicyDocument.parse(xml);
  const inbound = doc.requireSection('inbound');
  const existing = doc.marked(inbound, 'disable');
  const [only] = existing;
  if (existing.length === 1 && only !== undefined && disabledAs(doc, only) === `${statusCode} ${body}`) return { xml, changed: false };
  for (const element of existing) doc.removeMarked(element);

  const response = doc.create('return-response');
  response.appendChild(doc.create('set-status', { code: String(statusCode), reason: REASONS[statusCode] }));
  const header = doc.create('set-header', { name: 'Content-Type', 'exists-action': 'override' });
  const value = doc.create('value');
  value.appendChild(doc.doc.createTextNode('application/json'));
  header.appendChild(value);
  response.appendChild(header);
  const setBody = doc.create('set-body');
  setBody.appendChild(doc.doc.createTextNode(body));
  response.appendChild(setBody);
  doc.insertMarked(inbound, anchorFor(inbound, 'disable'), 'disable', response);
  return { xml: doc.serialize(), changed: true };
}

function disabledAs(doc: PolicyDocument, element: Element): string | undefined {
  if (element.nodeName !== 'return-response') return undefined;
  const children = childElements(element);
  const status = children.find((child) => child.nodeName === 'set-status');
  const body = children.find((child) => child.nodeName === 'set-body');
  if (status === undefined || body === undefined) return undefined;
  return `${doc.attribute(status, 'code') ?? ''} ${doc.text(body)}`;
}

/** Re-enables the operation: removes API Warden's return-response. */
export function enableOperation(xml: string): EditResult {
  return removeAllMarked(xml, 'disable');
}

/** Whether API Warden has disabled the operation of this policy. */
export function isOperationDisabled(xml: string): boolean {
  const doc = PolicyDocument.parse(xml);
  const inbound = doc.section('inbound');
  return inbound !== undefined && doc.marked(inbound, 'disable').length > 0;
}

function removeAllMarked(xml: string, kind: MarkerKind): EditResult {
  const doc = PolicyDocument.parse(xml);
  const inbound = doc.section('inbound');
  const existing = inbound === undefined ? [] : doc.marked(inbound, kind);
  if (existing.length === 0) return { xml, changed: false };
  for (const element of existing) doc.removeMarked(element);
  return { xml: doc.serialize(), changed: true };
}
