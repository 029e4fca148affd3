import type { FakeArm, ServiceRef } from './fakeArm';

/** The APIM service the inventory tests read. */
export const CONTOSO: ServiceRef = { subscriptionId: '00000000-0000-4000-8000-0000000000c0', resourceGroup: 'rg-apis', serviceName: 'contoso-apim' };

export const CONTOSO_ID = `/subscriptions/${CONTOSO.subscriptionId}/resourceGroups/${CONTOSO.resourceGroup}/providers/Microsoft.ApiManagement/service/${CONTOSO.serviceName}`;

/** A secret-looking value in a policy, which must never reach the stored inventory. */
export const POLICY_SECRET = 'https://login.example.com/tenant-secret-7f3a/.well-known/openid-configuration';

const JWT_POLICY = `<policies>
    <inbound>
        <base />
        <validate-jwt header-name="Authorization" failed-validation-httpcode="401">
            <openid-config url="${POLICY_SECRET}" />
        </validate-jwt>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>`;

const GLOBAL = `<policies>
    <inbound>
        <cors><allowed-origins><origin>*</origin></allowed-origins></cors>
        <rate-limit calls="1000" renewal-period="60" />
    </inbound>
    <backend><forward-request /></backend>
    <outbound />
    <on-error />
</policies>`;

const DISABLED = `<policies>
    <inbound>
        <base />
        <!-- api-warden:disable (managed by API Warden; enable through API Warden) -->
        <return-response><set-status code="503" reason="Service Unavailable" /></return-response>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>`;

/**
 * A realistic service: a subscription-key API (with a non-current revision), a legacy API over
 * HTTP without a key, a partner API behind validate-jwt, an API that requires a key but sits in
 * an open product; products, subscriptions (two scoped to all APIs), and policies at each scope.
 */
export function seedContoso(fake: FakeArm): void {
  fake.addService(CONTOSO, { name: 'Developer' });
  fake.addApi(CONTOSO, 'shop-api', {
    displayName: 'Shop',
    path: 'shop',
    serviceUrl: 'https://shop.backend.example.com',
    operations: [
      {
        name: 'get-order',
        displayName: 'Get order',
        urlTemplate: '/orders/{orderId}',
        templateParameters: [{ name: 'orderId', type: 'string', required: true }],
        queryParameters: [{ name: 'expand', type: 'string', required: false }],
      },
      { name: 'list-orders', displayName: 'List orders', urlTemplate: '/orders' },
      { name: 'delete-order', displayName: 'Delete order', method: 'DELETE', urlTemplate: '/orders/{orderId}', templateParameters: [{ name: 'orderId', type: 'string', required: true }] },
    ],
  });
  fake.addApi(CONTOSO, 'shop-api;rev=2', { displayName: 'Shop', path: 'shop', isCurrent: false, operations: ['get-order'] });
  fake.addApi(CONTOSO, 'legacy-api', {
    displayName: 'Legacy',
    path: 'legacy',
    protocols: ['http', 'https'],
    subscriptionRequired: false,
    operations: [
      { name: 'get-status', displayName: 'Status', urlTemplate: '/status' },
      { name: 'post-report', displayName: 'Post report', method: 'POST', urlTemplate: '/reports' },
    ],
  });
  fake.addApi(CONTOSO, 'partner-api', { displayName: 'Partner', path: 'partner', subscriptionRequired: false, operations: [{ name: 'get-catalog', urlTemplate: '/catalog' }] });
  fake.addApi(CONTOSO, 'open-api', {
    displayName: 'Open data',
    path: 'open',
    operations: [{ name: 'search', displayName: 'Search', urlTemplate: '/search', queryParameters: [{ name: 'q', type: 'string', required: true }] }],
  });
  fake.addProduct(CONTOSO, 'starter', { displayName: 'Starter', approvalRequired: false, apis: ['shop-api'] });
  fake.addProduct(CONTOSO, 'free', { displayName: 'Free', subscriptionRequired: false, apis: ['open-api'] });
  fake.addSubscription(CONTOSO, 'ops-everything', { scope: '/apis', displayName: 'Ops' });
  fake.addSubscription(CONTOSO, 'old-everything', { scope: '/apis', state: 'suspended' });
  fake.addSubscription(CONTOSO, 'starter-1', { scope: '/products/starter' });
  fake.setPolicy(CONTOSO, { kind: 'global' }, GLOBAL);
  fake.setPolicy(CONTOSO, { kind: 'api', apiId: 'partner-api' }, JWT_POLICY);
  fake.setPolicy(CONTOSO, { kind: 'operation', apiId: 'legacy-api', operationId: 'post-report' }, DISABLED);
  fake.setPolicy(CONTOSO, { kind: 'operation', apiId: 'shop-api', operationId: 'delete-order' }, '<policies><inbound>');
}
