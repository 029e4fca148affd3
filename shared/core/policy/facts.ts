/**
 * What a policy document says about an API's security posture, reduced to a few facts: the
 * inventory keeps these, never the policy XML itself (which can hold secrets in named values,
 * backend URLs and expressions).
 */
import type { Element } from '@xmldom/xmldom';

import { childElements, markerOf, PolicyDocument, type MarkerKind } from './document';
import { PolicyDocumentError } from './errors';

/** Inbound policies that authenticate the caller (Defender counts the first three). */
export const AUTHENTICATION_POLICIES = ['validate-jwt', 'validate-azure-ad-token', 'validate-client-certificate', 'check-header'] as const;
export type AuthenticationPolicy = (typeof AUTHENTICATION_POLICIES)[number];

const RATE_LIMIT_POLICIES = new Set(['rate-limit', 'rate-limit-by-key', 'quota', 'quota-by-key']);

export interface PolicyFacts {
  /**
   * Authentication policies in `<inbound>`, anywhere (inside `<choose>` too, so a conditional
   * check counts); `check-header` only when it checks the Authorization header.
   */
  authentication: AuthenticationPolicy[];
  /** An `ip-filter` in `<inbound>` (API Warden's own blocks included). */
  ipFilter: boolean;
  /** A rate limit or quota in `<inbound>` (API Warden's own included). */
  rateLimit: boolean;
  /** API Warden's own marked elements, by kind, each kind once. */
  warden: MarkerKind[];
  /** `<inbound>` holds `<base />`: the enclosing scope's inbound policies run too. */
  inheritsInbound: boolean;
  /** Policy fragments `<inbound>` includes; their content is not read. */
  fragments: string[];
  /** The document could not be read (not XML, or not a policy document): the other facts say nothing. */
  unreadable?: true;
}

/** The facts of a scope without a policy: nothing of its own, everything inherited. */
export const NO_POLICY: PolicyFacts = Object.freeze({
  authentication: [],
  ipFilter: false,
  rateLimit: false,
  warden: [],
  inheritsInbound: true,
  fragments: [],
}) as PolicyFacts;

/**
 * Reduces a raw policy document to its facts. Never throws: a document that cannot be parsed
 * gives `unreadable` facts.
 * @example policyFacts('<policies><inbound><base /><validate-jwt header-name="Authorization" /></inbound></policies>').authentication // ['validate-jwt']
 */
export function policyFacts(xml: string): PolicyFacts {
  let parsed: PolicyDocument;
  try {
    parsed = PolicyDocument.parse(xml);
  } catch (error) {
    if (error instanceof PolicyDocumentError) return { ...NO_POLICY, inheritsInbound: false, unreadable: true };
    throw error;
  }
  const inbound = parsed.section('inbound');
  const inboundElements = inbound === undefined ? [] : descendants(inbound);
  const authentication = new Set<AuthenticationPolicy>();
  const fragments: string[] = [];
  for (const element of inboundElements) {
    const name = element.nodeName;
    if (name === 'check-header') {
      if ((parsed.attribute(element, 'name') ?? '').toLowerCase() === 'authorization') authentication.add('check-header');
    } else if ((AUTHENTICATION_POLICIES as readonly string[]).includes(name)) {
      authentication.add(name as AuthenticationPolicy);
    } else if (name === 'include-fragment') {
      fragments.push(parsed.attribute(element, 'fragment-id') ?? '');
    }
  }
  const warden = new Set<MarkerKind>();
  for (const element of descendants(parsed.root)) {
    const kind = markerOf(element);
    if (kind !== undefined) warden.add(kind);
  }
  return {
    authentication: AUTHENTICATION_POLICIES.filter((policy) => authentication.has(policy)),
    ipFilter: inboundElements.some((element) => element.nodeName === 'ip-filter'),
    rateLimit: inboundElements.some((element) => RATE_LIMIT_POLICIES.has(element.nodeName)),
    warden: [...warden],
    inheritsInbound: inbound !== undefined && childElements(inbound).some((element) => element.nodeName === 'base'),
    fragments: [...new Set(fragments)],
  };
}

function descendants(parent: Element): Element[] {
  return childElements(parent).flatMap((child) => [child, ...descendants(child)]);
}
