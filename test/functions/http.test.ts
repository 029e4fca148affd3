import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HttpRequest, InvocationContext } from '@azure/functions';

import { httpHandler } from '../../functions/http';
import { NotFoundError, ValidationError } from '../../shared/errors';

const request = new HttpRequest({ method: 'GET', url: 'http://localhost/api/things' });

function capture() {
  const lines: string[] = [];
  return { lines, ctx: new InvocationContext({ invocationId: 'inv-9', logHandler: (_level, ...args) => lines.push(args.join(' ')) }) };
}

test('domain errors become their status with a body naming the field', async () => {
  const { ctx } = capture();
  const invalid = await httpHandler(async () => Promise.reject(new ValidationError('severity must be one of Low, Medium, High', 'severity')))(request, ctx);
  assert.equal(invalid.status, 400);
  assert.deepEqual(invalid.jsonBody, { error: { code: 'validation', message: 'severity must be one of Low, Medium, High', field: 'severity' } });
  const missing = await httpHandler(async () => Promise.reject(new NotFoundError('no alert a-1')))(request, ctx);
  assert.equal(missing.status, 404);
});

test('an unexpected error is logged with the invocation id and answered with a generic 500', async () => {
  const { ctx, lines } = capture();
  const response = await httpHandler(async () => Promise.reject(new Error('secret detail')))(request, ctx);
  assert.equal(response.status, 500);
  assert.doesNotMatch(JSON.stringify(response.jsonBody), /secret detail/);
  assert.match(JSON.stringify(response.jsonBody), /inv-9/);
  assert.ok(lines.some((line) => line.includes('http.unhandled') && line.includes('secret detail')));
});
