import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseConfig } from '../shared/config';
import { ConfigurationError } from '../shared/errors';

const local = { WARDEN_TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true' };

test('defaults fill every optional setting', () => {
  const config = parseConfig(local);
  assert.deepEqual(config.tables, { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
  assert.equal(config.tablePrefix, 'warden');
  assert.equal(config.eventHub, undefined);
  assert.equal(config.eventHubName, 'apim-logs');
  assert.equal(config.eventHubConsumerGroup, 'api-warden');
  assert.equal(config.trustedProxies.size, 0);
  assert.equal(config.quarantineRawMaxChars, 16_384);
  assert.equal(config.storageMaxAttempts, 5);
  assert.equal(config.lastSeenResolutionMs, 60_000);
  assert.ok(Object.isFrozen(config));
});

test('Azure settings select the endpoint with the managed identity and the identity-based Event Hub connection', () => {
  const config = parseConfig({
    WARDEN_TABLES_ENDPOINT: 'https://acct.table.core.windows.net',
    AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
    EVENTHUB_CONNECTION__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
    EVENTHUB_CONNECTION__clientId: '00000000-0000-0000-0000-000000000002',
    WARDEN_TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::/32 ;192.0.2.7',
  });
  assert.deepEqual(config.tables, {
    kind: 'endpoint',
    endpoint: 'https://acct.table.core.windows.net',
    clientId: '00000000-0000-0000-0000-000000000001',
  });
  assert.deepEqual(config.eventHub, {
    kind: 'namespace',
    fullyQualifiedNamespace: 'ns.servicebus.windows.net',
    clientId: '00000000-0000-0000-0000-000000000002',
  });
  assert.equal(config.trustedProxies.size, 3);
  assert.ok(config.trustedProxies.contains('10.1.2.3'));
  assert.ok(config.trustedProxies.contains('2001:db8::9'));
  assert.ok(!config.trustedProxies.contains('192.0.2.8'));
});

test('one error names every bad setting and why', () => {
  let error: unknown;
  try {
    parseConfig({
      WARDEN_TRUSTED_PROXIES: '10.0.0.0/33, not-an-ip, 192.0.2.1',
      WARDEN_STORAGE_MAX_ATTEMPTS: 'many',
      WARDEN_TABLE_PREFIX: '9lives',
      WARDEN_QUARANTINE_RAW_MAX_CHARS: '100000',
    });
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof ConfigurationError);
  assert.deepEqual([...error.settings].sort(), [
    'WARDEN_QUARANTINE_RAW_MAX_CHARS',
    'WARDEN_STORAGE_MAX_ATTEMPTS',
    'WARDEN_TABLES_CONNECTION_STRING',
    'WARDEN_TABLE_PREFIX',
    'WARDEN_TRUSTED_PROXIES',
  ]);
  assert.match(error.message, /WARDEN_TRUSTED_PROXIES: not an IP or CIDR: 10\.0\.0\.0\/33, not-an-ip/);
  assert.match(error.message, /WARDEN_TABLES_CONNECTION_STRING: set WARDEN_TABLES_CONNECTION_STRING \(local\) or WARDEN_TABLES_ENDPOINT \(Azure\)/);
});

test('blank values count as unset, as they are in local.settings.json', () => {
  const config = parseConfig({ ...local, EVENTHUB_CONNECTION: '  ', WARDEN_TABLES_ENDPOINT: '' });
  assert.equal(config.eventHub, undefined);
  assert.equal(config.tables.kind, 'connectionString');
});

test('the export hub: off by default; a local connection string wins; in Azure the namespace defaults to the ingest one, with the identity', () => {
  assert.equal(parseConfig(local).alertExport, undefined);
  const connectionString = 'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;EntityPath=alert-export';
  assert.deepEqual(
    parseConfig({ ...local, WARDEN_ALERT_EXPORT_HUB: 'alert-export', WARDEN_ALERT_EXPORT_CONNECTION: connectionString, WARDEN_ALERT_EXPORT_NAMESPACE: 'other.servicebus.windows.net' }).alertExport,
    { eventHubName: 'alert-export', connection: { kind: 'connectionString', connectionString } },
  );
  const azure = {
    ...local,
    AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
    EVENTHUB_CONNECTION__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
    WARDEN_ALERT_EXPORT_HUB: 'alert-export',
  };
  assert.deepEqual(parseConfig(azure).alertExport, {
    eventHubName: 'alert-export',
    connection: { kind: 'namespace', fullyQualifiedNamespace: 'ns.servicebus.windows.net', clientId: '00000000-0000-0000-0000-000000000001' },
  });
  assert.deepEqual(parseConfig({ ...azure, WARDEN_ALERT_EXPORT_NAMESPACE: 'siem.servicebus.windows.net' }).alertExport?.connection, {
    kind: 'namespace',
    fullyQualifiedNamespace: 'siem.servicebus.windows.net',
    clientId: '00000000-0000-0000-0000-000000000001',
  });
});

test('an export hub without a way to reach it, or a connection string without a hub, is refused', () => {
  assert.throws(
    () => parseConfig({ ...local, WARDEN_ALERT_EXPORT_HUB: 'alert-export' }),
    (error: unknown) => error instanceof ConfigurationError && error.settings.includes('WARDEN_ALERT_EXPORT_NAMESPACE'),
  );
  assert.throws(
    () => parseConfig({ ...local, WARDEN_ALERT_EXPORT_CONNECTION: 'Endpoint=sb://x;SharedAccessKeyName=k;SharedAccessKey=v' }),
    (error: unknown) => error instanceof ConfigurationError && error.settings.includes('WARDEN_ALERT_EXPORT_HUB'),
  );
});
