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

/** Body of POST /api/actions/block-ip and /api/actions/unblock-ip. */
export const blockRequestSchema = z
  .strictObject({
    addresses: z.array(address).min(1).max(100),
    /** Scope: none = the whole APIM service; apiId = one API; apiId + operationId = one operation. */
    apiId: z.string().trim().min(1).optional(),
    operationId: z.string().trim().min(1).optional(),
    reason: z.string().trim().min(1).max(1000),
    requestedBy: z.string().trim().min(1).max(200).optional(),
    alertId: z.string().trim().min(1).max(100).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((body) => body.operationId === undefined || body.apiId !== undefined, { message: 'operationId needs apiId', path: ['operationId'] });

export type BlockRequestBody = z.infer<typeof blockRequestSchema>;

export function scopeOf(body: { apiId?: string; operationId?: string }): PolicyScope {
  if (body.apiId === undefined) return { kind: 'global' };
  if (body.operationId === undefined) return { kind: 'api', apiId: body.apiId };
  return { kind: 'operation', apiId: body.apiId, operationId: body.operationId };
}
