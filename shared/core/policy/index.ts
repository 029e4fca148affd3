/** Editing APIM policy documents for API Warden's response actions. Pure: strings in, strings out. */
export { PolicyDocumentError, type PolicyErrorCode } from './errors';
export { canonicalPolicy, MARKER_KINDS, policiesEquivalent, roundTrip, type MarkerKind } from './document';
export { DEFAULT_MIN_IPV4_PREFIX, DEFAULT_MIN_IPV6_PREFIX, type AddressOptions } from './addresses';
export {
  blockAddresses,
  disableOperation,
  enableOperation,
  isOperationDisabled,
  listBlocked,
  MAX_RATE_LIMITED_ADDRESSES,
  MAX_RENEWAL_PERIOD_SECONDS,
  RATE_LIMIT_COUNTER_KEY,
  removeRateLimit,
  setRateLimit,
  unblockAddresses,
  type BlockOptions,
  type BlockResult,
  type DisableOptions,
  type EditResult,
  type RateLimitOptions,
  type UnblockResult,
} from './actions';
export { AUTHENTICATION_POLICIES, NO_POLICY, policyFacts, type AuthenticationPolicy, type PolicyFacts } from './facts';
export { validatePolicy, type PolicyProblem, type PolicyValidation } from './validate';
