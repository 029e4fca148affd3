import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { HttpRequest, HttpResponse, InvocationContext, type LogHandler } from '@azure/functions';

import type { FunctionDefinition } from '../../functions/registry';

type HttpDefinition = Extract<FunctionDefinition, { trigger: 'http' }>;

/** The host's default route prefix: every HTTP function lives under /api. */
export const ROUTE_PREFIX = '/api';

interface CompiledRoute {
  definition: HttpDefinition;
  match(segments: string[]): Record<string, string> | undefined;
}

/**
 * Compiles a Functions route template ("alerts/{id}", "files/{*path}", "items/{id:int?}") into a
 * matcher returning the route parameters, the way the host binds them to `request.params`.
 */
export function compileRoute(template: string): (segments: string[]) => Record<string, string> | undefined {
  const parts = template.split('/').filter((part) => part !== '');
  return (segments) => {
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i += 1) {
      const part = parts[i] as string;
      const segment = segments[i];
      const param = /^\{(\*?)([A-Za-z_][\w]*)(?::[^}?]+)?(\?)?\}$/.exec(part);
      if (param === null) {
        if (segment === undefined || segment.toLowerCase() !== part.toLowerCase()) return undefined;
        continue;
      }
      const [, catchAll, name = '', optional] = param;
      if (catchAll === '*') {
        params[name] = segments.slice(i).join('/');
        return params;
      }
      if (segment === undefined) {
        if (optional === '?') return params;
        return undefined;
      }
      params[name] = segment;
    }
    return segments.length === parts.length ? params : undefined;
  };
}

export interface LocalHttpServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the registry's HTTP functions on http://HOST:PORT/api/<route> with the same routes and
 * methods as the Functions host, building real HttpRequest and InvocationContext objects so the
 * handlers run exactly as they do in Azure. Like `func start`, it does not check function keys.
 */
export async function startHttpServer(
  definitions: readonly FunctionDefinition[],
  options: { port: number; host?: string; logHandler: LogHandler },
): Promise<LocalHttpServer> {
  const routes: CompiledRoute[] = definitions
    .filter((definition): definition is HttpDefinition => definition.trigger === 'http')
    .map((definition) => ({ definition, match: compileRoute(definition.options.route) }));
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    void serve(routes, req, res, options.logHandler, host);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function serve(
  routes: readonly CompiledRoute[],
  req: IncomingMessage,
  res: ServerResponse,
  logHandler: LogHandler,
  host: string,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    if (!url.pathname.startsWith(`${ROUTE_PREFIX}/`)) return send(res, 404, { error: { code: 'not_found', message: 'no such route' } });
    const segments = url.pathname.slice(ROUTE_PREFIX.length + 1).split('/').filter((s) => s !== '').map(decodeURIComponent);
    const matching = routes.map((route) => ({ route, params: route.match(segments) })).filter((m) => m.params !== undefined);
    if (matching.length === 0) return send(res, 404, { error: { code: 'not_found', message: 'no such route' } });
    const method = (req.method ?? 'GET').toUpperCase();
    const chosen = matching.find((m) => (m.route.definition.options.methods as string[]).includes(method));
    if (chosen === undefined) return send(res, 405, { error: { code: 'method_not_allowed', message: `${method} is not allowed here` } });
    const body = await readBody(req);
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers: headersOf(req),
      params: chosen.params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: chosen.route.definition.name,
      logHandler,
    });
    const result = await chosen.route.definition.handler(request, context);
    const response = result instanceof HttpResponse ? result : new HttpResponse(result);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    res.writeHead(response.status, headers);
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    logHandler('error', `local http server: ${error instanceof Error ? error.message : String(error)}`);
    if (!res.headersSent) send(res, 500, { error: { code: 'internal', message: 'internal error' } });
    else res.end();
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
