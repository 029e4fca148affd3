import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { DomainError, type DomainErrorCode } from '../shared/errors';
import { loggerFor } from './context';

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  upstream: 502,
  configuration: 500,
};

export function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store' } };
}

/**
 * Wraps an HTTP handler: DomainErrors become their status with `{ error: { code, message, field } }`;
 * anything else is logged with the invocation id and answered with a generic 500 that does not
 * echo the message.
 */
export function httpHandler(
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'configuration') {
        return json(STATUS_BY_CODE[error.code], { error: { code: error.code, message: error.message, field: error.field } });
      }
      loggerFor(context).error('http.unhandled', {
        route: new URL(request.url).pathname,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return json(500, { error: { code: 'internal', message: `internal error (invocation ${context.invocationId})` } });
    }
  };
}
