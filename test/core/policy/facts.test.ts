import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { blockAddresses, disableOperation, NO_POLICY, policyFacts, setRateLimit } from '../../../shared/core/policy';
import { DEFAULT_POLICY, GLOBAL_POLICY, RICH_POLICY } from './fixtures';

const inbound = (body: string) => `<policies><inbound>${body}</inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`;

describe('policyFacts', () => {
  test("APIM's default API policy: nothing of its own, inherits the enclosing scope", () => {
    assert.deepEqual(policyFacts(DEFAULT_POLICY), NO_POLICY);
    const global = policyFacts(GLOBAL_POLICY);
    assert.equal(global.inheritsInbound, false);
    assert.deepEqual(global.authentication, []);
  });

  test('a rich policy: validate-jwt, the user\'s ip-filter and rate limit, even next to expressions', () => {
    const facts = policyFacts(RICH_POLICY);
    assert.deepEqual(facts.authentication, ['validate-jwt']);
    assert.equal(facts.ipFilter, true);
    assert.equal(facts.rateLimit, true);
    assert.deepEqual(facts.warden, []);
    assert.equal(facts.inheritsInbound, true);
  });

  test('each authentication policy is recognised; check-header only on the Authorization header', () => {
    const facts = policyFacts(
      inbound(`<base />
        <validate-azure-ad-token tenant-id="contoso.onmicrosoft.com"><client-application-ids><application-id>x</application-id></client-application-ids></validate-azure-ad-token>
        <choose><when condition="@(context.Request.Certificate != null)"><validate-client-certificate validate-revocation="true" /></when></choose>
        <check-header name="X-Api-Version" failed-check-httpcode="400" failed-check-error-message="no" ignore-case="true" />`),
    );
    assert.deepEqual(facts.authentication, ['validate-azure-ad-token', 'validate-client-certificate']);
    const header = policyFacts(inbound('<check-header name="authorization" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="false" />'));
    assert.deepEqual(header.authentication, ['check-header']);
    assert.equal(header.inheritsInbound, false, 'no <base />: the enclosing scope\'s inbound policies do not run');
  });

  test('authentication outside <inbound> does not count (it cannot run there)', () => {
    const facts = policyFacts('<policies><inbound><base /></inbound><outbound><validate-jwt header-name="Authorization" /></outbound></policies>');
    assert.deepEqual(facts.authentication, []);
  });

  test("API Warden's own marked elements are reported by kind, and count as ip-filter and rate limit", () => {
    let xml = blockAddresses(DEFAULT_POLICY, ['203.0.113.7']).xml;
    xml = setRateLimit(xml, { key: 'ip', addresses: ['198.51.100.4'], calls: 10, renewalPeriodSeconds: 60 }).xml;
    xml = disableOperation(xml).xml;
    const facts = policyFacts(xml);
    assert.deepEqual([...facts.warden].sort(), ['block', 'disable', 'rate-limit']);
    assert.equal(facts.ipFilter, true);
    assert.equal(facts.rateLimit, true);
  });

  test('included fragments are listed (their content is unknown)', () => {
    const facts = policyFacts(inbound('<base /><include-fragment fragment-id="auth" /><include-fragment fragment-id="auth" />'));
    assert.deepEqual(facts.fragments, ['auth']);
  });

  test('an unreadable document gives unreadable facts rather than throwing', () => {
    assert.equal(policyFacts('<policies><inbound></policies>').unreadable, true);
    assert.equal(policyFacts('<other />').unreadable, true);
    assert.equal(policyFacts('').unreadable, true);
  });
});
