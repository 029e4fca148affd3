import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createApimInventoryReader } from '../../shared/azure/apimInventory';
import { createApimPolicyClient } from '../../shared/azure/apimPolicies';
import { DomainError } from '../../shared/errors';
import { CONTOSO, seedContoso } from '../support/apimFixture';
import { fakeArmCredential, startFakeArm, type FakeArm, type RecordedRequest } from '../support/fakeArm';

/**
 * The ARM clients as production builds them keep the SDK's default retry policy: 429 and 503
 * wait for Retry-After, other 5xx back off exponentially, 3 retries, then the failure surfaces
 * as an `upstream` error naming what was being done. Tests only shorten the backoff delays.
 */
describe('ARM retries (real SDK retry policy against the fake ARM server)', () => {
  let fake: FakeArm;
  const globalPolicy = (r: RecordedRequest) => r.path.endsWith('/service/contoso-apim/policies/policy');

  before(async () => {
    fake = await startFakeArm();
  });
  after(() => fake.stop());
  beforeEach(() => {
    seedContoso(fake);
    fake.clearFailures();
    fake.clearRequests();
  });

  it('policy reads retry 503 and 500, writes retry 429, and nothing is lost', async () => {
    const client = createApimPolicyClient(fakeArmCredential, CONTOSO, fake.retryingClientOptions());
    fake.failRequests({ count: 1, status: 503, retryAfterSeconds: 0, match: globalPolicy });
    fake.failRequests({ count: 1, status: 500, match: globalPolicy });
    const read = await client.getPolicy({ kind: 'global' });
    assert.match(read?.xml ?? '', /rate-limit/);
    assert.equal(fake.requests.filter(globalPolicy).length, 3);

    fake.clearRequests();
    fake.failRequests({ count: 2, status: 429, retryAfterSeconds: 0, match: (r) => r.method === 'PUT' });
    const written = await client.putPolicy({ kind: 'global' }, '<policies><inbound /></policies>', read?.etag);
    assert.equal(fake.policy(CONTOSO, { kind: 'global' })?.etag, written.etag);
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 3);
  });

  it('with no retry options at all (exactly as production), throttled requests are retried', async () => {
    const production = { endpoint: fake.url, tlsOptions: { ca: fake.caCert } };
    const client = createApimPolicyClient(fakeArmCredential, CONTOSO, production);
    fake.failRequests({ count: 2, status: 429, retryAfterSeconds: 0 });
    assert.equal(await client.getServiceSku(), 'Developer');
    assert.equal(fake.requests.length, 3);

    fake.clearRequests();
    fake.failRequests({ count: 2, status: 429, retryAfterSeconds: 0, match: (r) => r.path.endsWith('/service/contoso-apim/apis') });
    const inventory = await createApimInventoryReader(fakeArmCredential, CONTOSO, production).read();
    assert.equal(inventory.apis.length, 4);
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/service/contoso-apim/apis')).length, 3);
  });

  it('Retry-After is honoured', async () => {
    const client = createApimPolicyClient(fakeArmCredential, CONTOSO, fake.retryingClientOptions());
    fake.failRequests({ count: 1, status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await client.getServiceSku();
    assert.ok(Date.now() - started >= 900, `waited ${Date.now() - started} ms`);
  });

  it('a policy read that keeps failing gives up after the retries with an upstream error naming the scope and status', async () => {
    const client = createApimPolicyClient(fakeArmCredential, CONTOSO, fake.retryingClientOptions());
    fake.failRequests({ count: 10, status: 500, match: globalPolicy });
    await assert.rejects(
      client.getPolicy({ kind: 'global' }),
      (e: unknown) => e instanceof DomainError && e.code === 'upstream' && e.message === 'Reading the global policy: API Management request failed (HTTP 500 InternalServerError)',
    );
    assert.equal(fake.requests.filter(globalPolicy).length, 4, 'the first try and 3 retries');
  });

  it('listing retries throttling and outages on any page, and reads the same inventory', async () => {
    const clean = await createApimInventoryReader(fakeArmCredential, CONTOSO, fake.retryingClientOptions()).read();
    fake.setPageSize(1);
    fake.clearRequests();
    fake.failRequests({ count: 1, status: 429, retryAfterSeconds: 0, match: (r) => r.path.endsWith('/service/contoso-apim/apis') && r.query.$skip === undefined });
    fake.failRequests({ count: 1, status: 503, match: (r) => r.path.endsWith('/apis/shop-api/operations') && r.query.$skip === '2' });
    fake.failRequests({ count: 1, status: 500, match: (r) => r.path.endsWith('/apis/partner-api/policies/policy') });
    fake.failRequests({ count: 1, status: 503, retryAfterSeconds: 0, match: (r) => r.path.endsWith('/products/free/apis') });
    try {
      const retried = await createApimInventoryReader(fakeArmCredential, CONTOSO, fake.retryingClientOptions()).read();
      assert.deepEqual(retried, clean);
      assert.equal(fake.requests.filter((r) => r.path.endsWith('/apis/shop-api/operations')).length, 4, '3 pages, one retried');
    } finally {
      fake.setPageSize(100);
    }
  });

  it('a listing that keeps failing gives up with an upstream error naming what was listed', async () => {
    fake.failRequests({ count: 10, status: 503, retryAfterSeconds: 0, match: (r) => r.path.endsWith('/service/contoso-apim/products') });
    const reader = createApimInventoryReader(fakeArmCredential, CONTOSO, fake.retryingClientOptions());
    await assert.rejects(
      reader.read(),
      (e: unknown) => e instanceof DomainError && e.code === 'upstream' && e.message === 'Listing the products: API Management request failed (HTTP 503 ServiceUnavailable)',
    );
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/service/contoso-apim/products')).length, 4);
  });
});
