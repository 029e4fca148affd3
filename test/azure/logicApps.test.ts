import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createPlaybookRunner, redactCallbackUrl } from '../../shared/azure/logicApps';
import { DomainError } from '../../shared/errors';
import type { Logger, PlaybookRef } from '../../shared/ports';
import { fakeArmCredential, startFakeArm, type FakeArm } from '../support/fakeArm';

const ref: PlaybookRef = {
  subscriptionId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  resourceGroup: 'rg-soc',
  workflowName: 'block-ip-playbook',
  triggerName: 'manual',
};

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (event: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${event} ${JSON.stringify(fields ?? {})}`);
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

describe('Logic App playbooks against the fake ARM server (real @azure/arm-logic)', () => {
  let fake: FakeArm;

  before(async () => {
    fake = await startFakeArm();
  });
  after(() => fake.stop());
  beforeEach(() => fake.clearRequests());

  it('gets the callback URL through listCallbackUrl', async () => {
    const sig = fake.addWorkflow(ref);
    const runner = createPlaybookRunner(fakeArmCredential, { clientOptions: fake.clientOptions(), tlsOptions: { ca: fake.caCert } });
    const cb = await runner.getCallbackUrl(ref);
    assert.equal(cb.method, 'POST');
    assert.equal(new URL(cb.url).searchParams.get('sig'), sig);
    const call = fake.requests.at(-1);
    assert.equal(call?.method, 'POST');
    assert.equal(
      call?.path,
      `/subscriptions/${ref.subscriptionId}/resourceGroups/rg-soc/providers/Microsoft.Logic/workflows/block-ip-playbook/triggers/manual/listCallbackUrl`,
    );
    assert.equal(call?.bearer, true);
  });

  it('POSTs the payload to the callback and returns the status and run id; the sig is not logged', async () => {
    const sig = fake.addWorkflow(ref, { runId: '08585000000000000000000000000CU01' });
    const logger = recordingLogger();
    const runner = createPlaybookRunner(fakeArmCredential, { clientOptions: fake.clientOptions(), tlsOptions: { ca: fake.caCert }, logger });
    const payload = { alertType: 'API_AccessFromTorExitNode', clientIp: '198.51.100.4', severity: 'High' };
    const result = await runner.runPlaybook(ref, payload);
    assert.deepEqual(result, { status: 202, runId: '08585000000000000000000000000CU01' });
    assert.equal(fake.callbacks.length, 1);
    assert.deepEqual(fake.callbacks[0]?.body, payload);
    assert.match(fake.callbacks[0]?.headers['content-type'] ?? '', /application\/json/);
    assert.ok(logger.lines.some((l) => l.includes('playbook.run')));
    for (const line of logger.lines) assert.ok(!line.includes(sig), 'sig must not be logged');
  });

  it('returns a rejected status without throwing, and without a run id', async () => {
    fake.addWorkflow(ref, { status: 400, runId: null });
    const runner = createPlaybookRunner(fakeArmCredential, { clientOptions: fake.clientOptions(), tlsOptions: { ca: fake.caCert } });
    assert.deepEqual(await runner.runPlaybook(ref, {}), { status: 400 });
  });

  it('times out, with neither the error nor the logs carrying the sig', async () => {
    const sig = fake.addWorkflow(ref, { delayMs: 1_000 });
    const logger = recordingLogger();
    const runner = createPlaybookRunner(fakeArmCredential, { clientOptions: fake.clientOptions(), tlsOptions: { ca: fake.caCert }, timeoutMs: 100, logger });
    const error = await runner.runPlaybook(ref, { a: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, 'upstream');
    assert.match(error.message, /block-ip-playbook/);
    assert.ok(!error.message.includes(sig));
    assert.ok(!JSON.stringify(error).includes(sig));
    assert.ok(!String(error.stack).includes(sig));
    assert.ok(logger.lines.some((l) => l.includes('playbook.run_failed')));
    for (const line of logger.lines) assert.ok(!line.includes(sig));
  });

  it('reports an unknown workflow as not_found', async () => {
    const runner = createPlaybookRunner(fakeArmCredential, { clientOptions: fake.clientOptions(), tlsOptions: { ca: fake.caCert } });
    await assert.rejects(runner.runPlaybook({ ...ref, workflowName: 'ghost' }, {}), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
  });

  it('redacts every credential-like query value of a callback URL', () => {
    const url = 'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SECRETSECRET';
    const redacted = redactCallbackUrl(url);
    assert.ok(!redacted.includes('SECRETSECRET'));
    assert.match(redacted, /api-version=2016-10-01/);
    assert.match(redacted, /sig=REDACTED/);
  });
});
