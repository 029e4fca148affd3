/**
 * The one error type of the policy editor. Every refusal and every unreadable document ends up
 * here with a stable `code`, so callers (HTTP handlers, the CLI, the audit log) can branch on
 * the code and show the message.
 */
export type PolicyErrorCode =
  /** The text is not well-formed XML (after policy expressions are set aside). */
  | 'malformed-xml'
  /** Well-formed XML, but not a `<policies>` document. */
  | 'not-a-policy-document'
  /** The section the action needs (`<inbound>`) is absent; we do not guess what to create. */
  | 'missing-section'
  /** An address or CIDR that does not parse. */
  | 'invalid-address'
  /** A CIDR broader than the configured minimum prefix length. */
  | 'prefix-too-broad'
  /** IPv6 asked for while IPv6 is not enabled (see addresses.ts for why it is off by default). */
  | 'ipv6-unsupported'
  /** An address or range that touches the allowlist. */
  | 'allowlisted'
  /** Any other bad argument (calls, renewal period, status code, message). */
  | 'invalid-argument';

export class PolicyDocumentError extends Error {
  readonly code: PolicyErrorCode;
  /** Entries the error is about (addresses refused, for instance), when there are any. */
  readonly details: readonly string[];

  constructor(code: PolicyErrorCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'PolicyDocumentError';
    this.code = code;
    this.details = details;
  }
}
