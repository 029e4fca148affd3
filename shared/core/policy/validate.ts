/**
 * Structural checks of a policy document that need no APIM: what we can tell from the XML alone.
 * Policy expressions are not compiled (only APIM can), and unknown elements are not reported
 * (the policy set grows; fragments and custom policies exist).
 */
import type { Element } from '@xmldom/xmldom';

import { childElements, isWhitespaceText, markerOf, PolicyDocument, SECTIONS } from './document';
import { PolicyDocumentError } from './errors';
import { parseRange, parseSingleAddress } from './addresses';
import { MAX_RENEWAL_PERIOD_SECONDS } from './actions';

export interface PolicyProblem {
  code: string;
  message: string;
}

export interface PolicyValidation {
  ok: boolean;
  problems: PolicyProblem[];
}

const INBOUND_ONLY = new Set(['ip-filter', 'rate-limit-by-key', 'rate-limit', 'quota', 'quota-by-key', 'validate-jwt']);

export function validatePolicy(xml: string): PolicyValidation {
  let doc: PolicyDocument;
  try {
    doc = PolicyDocument.parse(xml);
  } catch (error) {
    if (error instanceof PolicyDocumentError) return { ok: false, problems: [{ code: error.code, message: error.message }] };
    throw error;
  }
  const problems: PolicyProblem[] = [];
  const seen = new Set<string>();
  let lastIndex = -1;

  for (let node = doc.root.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 3 && !isWhitespaceText(node)) {
      problems.push({ code: 'stray-text', message: 'text directly inside <policies>' });
    }
  }
  for (const section of childElements(doc.root)) {
    const index = (SECTIONS as readonly string[]).indexOf(section.nodeName);
    if (index < 0) {
      problems.push({ code: 'unknown-section', message: `<${section.nodeName}> is not a policy section (inbound, backend, outbound, on-error)` });
      continue;
    }
    if (seen.has(section.nodeName)) problems.push({ code: 'duplicate-section', message: `<${section.nodeName}> appears more than once` });
    else if (index < lastIndex) problems.push({ code: 'section-order', message: `<${section.nodeName}> is out of order (inbound, backend, outbound, on-error)` });
    seen.add(section.nodeName);
    lastIndex = Math.max(lastIndex, index);

    const bases = childElements(section).filter((child) => child.nodeName === 'base');
    if (bases.length > 1) problems.push({ code: 'duplicate-base', message: `<base /> appears ${bases.length} times in <${section.nodeName}>` });
    walk(section, (element) => checkElement(doc, section.nodeName, element, problems));
  }
  return { ok: problems.length === 0, problems };
}

function walk(element: Element, visit: (element: Element) => void): void {
  for (const child of childElements(element)) {
    visit(child);
    walk(child, visit);
  }
}

function isExpression(value: string | undefined): boolean {
  return value !== undefined && /^@[({]/.test(value);
}

function checkElement(doc: PolicyDocument, section: string, element: Element, problems: PolicyProblem[]): void {
  const name = element.nodeName;
  if (INBOUND_ONLY.has(name) && section !== 'inbound') {
    problems.push({ code: 'wrong-section', message: `<${name}> is allowed in <inbound> only, found in <${section}>` });
  }
  if (markerOf(element) !== undefined && section !== 'inbound') {
    problems.push({ code: 'marker-misplaced', message: `API Warden's <${name}> is in <${section}>, expected <inbound>` });
  }
  if (name === 'ip-filter') {
    const action = doc.attribute(element, 'action');
    if (action !== 'allow' && action !== 'forbid' && !isExpression(action)) {
      problems.push({ code: 'ip-filter-action', message: `ip-filter action must be allow or forbid, got ${JSON.stringify(action ?? null)}` });
    }
    const entries = childElements(element);
    if (!entries.some((child) => child.nodeName === 'address' || child.nodeName === 'address-range')) {
      problems.push({ code: 'ip-filter-empty', message: 'ip-filter needs at least one address or address-range' });
    }
    for (const entry of entries) {
      if (entry.nodeName === 'address') {
        const text = doc.text(entry).trim();
        if (!isExpression(text) && parseSingleAddress(text) === undefined) {
          problems.push({ code: 'ip-filter-address', message: `not an IP address: ${JSON.stringify(text)}` });
        }
      } else if (entry.nodeName === 'address-range') {
        const from = doc.attribute(entry, 'from') ?? '';
        const to = doc.attribute(entry, 'to') ?? '';
        if (parseRange(from.trim(), to.trim()) === undefined) {
          problems.push({ code: 'ip-filter-range', message: `invalid address-range from=${JSON.stringify(from)} to=${JSON.stringify(to)}` });
        }
      } else {
        problems.push({ code: 'ip-filter-child', message: `<${entry.nodeName}> is not allowed in ip-filter` });
      }
    }
  }
  if (name === 'rate-limit-by-key') {
    for (const required of ['calls', 'renewal-period', 'counter-key']) {
      if (doc.attribute(element, required) === undefined) {
        problems.push({ code: 'rate-limit-attribute', message: `rate-limit-by-key needs ${required}` });
      }
    }
    const period = doc.attribute(element, 'renewal-period');
    if (period !== undefined && !isExpression(period)) {
      const seconds = Number(period);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_RENEWAL_PERIOD_SECONDS) {
        problems.push({ code: 'rate-limit-period', message: `renewal-period must be 1 to ${MAX_RENEWAL_PERIOD_SECONDS} seconds, got ${period}` });
      }
    }
    const calls = doc.attribute(element, 'calls');
    if (calls !== undefined && !isExpression(calls) && !(Number.isInteger(Number(calls)) && Number(calls) >= 1)) {
      problems.push({ code: 'rate-limit-calls', message: `calls must be a positive integer, got ${calls}` });
    }
  }
  if (name === 'return-response') {
    const order = ['set-status', 'set-header', 'set-body'];
    let last = -1;
    for (const child of childElements(element)) {
      const index = order.indexOf(child.nodeName);
      if (index < 0) problems.push({ code: 'return-response-child', message: `<${child.nodeName}> is not allowed in return-response` });
      else if (index < last) problems.push({ code: 'return-response-order', message: 'return-response children must be set-status, set-header, set-body in that order' });
      else last = index;
    }
  }
}
