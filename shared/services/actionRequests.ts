import { z } from 'zod';

import { normalizeIp } from '../core/ip';
import type { PolicyScope } from '../ports';

/** An IP or CIDR, checked strictly; the policy editor checks prefix breadth and the allowlist. */
const address = z
  .string()
  .trim()
  .refine((text) => {
    const [ip = '', prefix] = text.split('/');
    return normalizeIp(ip) !== undefined && (prefix === undefined || /^\d{1,3}$/.test(prefix));
  }, 'not an IP address or CIDR');

/** What every action carries: why, who, which alert, and until when. */
const common = {
  reason: z.string().trim().min(1).max(1000),
  requestedBy: z.string().trim().min(1).max(200).optional(),
  alertId: z.string().trim().min(1).max(100).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
};

/** Scope: none = the whole APIM service; apiId = one API; apiId + operationId = one operation. */
const scope = {
  apiId: z.string().trim().min(1).optional(),
  operationId: z.string().trim().min(1).optional(),
};

const operationNeedsApi = { message: 'operationId needs apiId', path: ['operationId'] };
const hasApi = (body: { apiId?: string; operationId?: string }) => body.operationId === undefined || body.apiId !== undefined;

/** Body of POST /api/actions/block-ip and /api/actions/unblock-ip. */
export const addressActionSchema = z
  .strictObject({ addresses: z.array(address).min(1).max(100), ...scope, ...common })
  .refine(hasApi, operationNeedsApi);

/** Body of POST /api/actions/rate-limit. */
export const rateLimitSchema = z
  .strictObject({
    /** The client IPs to limit; none: every client. */
    addresses: z.array(address).max(200).default([]),
    calls: z.number().int().min(1),
    /** APIM's rate-limit-by-key allows at most 300 seconds. */
    renewalPeriodSeconds: z.number().int().min(1).max(300),
    ...scope,
    ...common,
  })
  .refine(hasApi, operationNeedsApi);

/** Body of POST /api/actions/remove-rate-limit. */
export const removeRateLimitSchema = z.strictObject({ ...scope, ...common }).refine(hasApi, operationNeedsApi);

/** Body of POST /api/actions/disable-endpoint and /api/actions/enable-endpoint: one operation. */
export const endpointActionSchema = z.strictObject({
  apiId: z.string().trim().min(1),
  operationId: z.string().trim().min(1),
  statusCode: z.union([z.literal(403), z.literal(404), z.literal(503)]).optional(),
  message: z.string().trim().min(1).max(500).optional(),
  ...common,
});

/** Body of POST /api/actions/require-subscription and /api/actions/allow-anonymous: one API. */
export const apiActionSchema = z.strictObject({ apiId: z.string().trim().min(1), ...common });

export function scopeOf(body: { apiId?: string; operationId?: string }): PolicyScope {
  if (body.apiId === undefined) return { kind: 'global' };
  if (body.operationId === undefined) return { kind: 'api', apiId: body.apiId };
  return { kind: 'operation', apiId: body.apiId, operationId: body.operationId };
}
