import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z } from 'zod';

import { DomainError, ValidationError, type DomainErrorCode } from '../shared/errors';
import { loggerFor } from './context';

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  upstream: 502,
  unavailable: 503,
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

/**
 * The request's JSON body validated with a zod schema; a 400 naming the first bad field
 * (`addresses.0: not an IP …`) otherwise. Nothing is done with a body that fails.
 */
export async function parseBody<S extends z.ZodType>(request: HttpRequest, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw new ValidationError('the body must be a JSON object', 'body');
  }
  return validated(body, schema, 'body');
}

/** The Functions host reads the function key from this query parameter; it is not the handler's. */
const FUNCTION_KEY_PARAMETER = 'code';

/**
 * The request's query parameters (the first value of each; the function key's `code` left out)
 * validated with a zod schema; a 400 naming the first bad parameter (`exposed: must be true or
 * false`, an unknown `exposd`) otherwise.
 */
export function parseQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  const query: Record<string, string> = {};
  for (const [name, value] of request.query) {
    if (name !== FUNCTION_KEY_PARAMETER && !(name in query)) query[name] = value;
  }
  return validated(query, schema, 'query');
}

/** The value if the schema accepts it, else a ValidationError naming the first bad field (an unknown key by its name). */
function validated<S extends z.ZodType>(value: unknown, schema: S, root: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue === undefined ? [] : issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const field = path.length === 0 ? root : path.join('.');
  throw new ValidationError(`${field}: ${issue?.message ?? 'invalid'}`, field);
}

/** Who is calling: the signed-in principal App Service authentication passes on, else the body's claim. */
export function callerOf(request: HttpRequest, claimed?: string): string {
  return request.headers.get('x-ms-client-principal-name') ?? claimed ?? 'unknown (function key)';
}
