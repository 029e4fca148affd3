/**
 * A local HTTP server for feed tests: node:http on 127.0.0.1, random port, with routes whose
 * answers tests change between requests (a good feed, a 500, garbage, a shrunken list, a hang).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedRoute {
  /** Default 200. */
  status?: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Never answer (the client's deadline must fire). */
  hang?: boolean;
  /** Send the headers, then the body in pieces without Content-Length, then (if set) stall. */
  stream?: { pieces: number; stallAfter?: boolean };
}

export interface FeedServer {
  url(path: string): string;
  set(path: string, route: FeedRoute): void;
  /** Requests received per path. */
  hits(path: string): number;
  /** The Authorization header of the last request, if any. */
  lastAuthorization(): string | undefined;
  stop(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, FeedRoute>();
  const hits = new Map<string, number>();
  let authorization: string | undefined;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    authorization = request.headers.authorization;
    const path = (request.url ?? '/').split('?')[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (route === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (route.hang === true) return;
    const body = typeof route.body === 'string' ? Buffer.from(route.body, 'utf8') : (route.body ?? Buffer.alloc(0));
    if (route.stream !== undefined) {
      response.writeHead(route.status ?? 200, { 'content-type': 'text/plain', ...route.headers });
      const size = Math.ceil(body.length / route.stream.pieces);
      for (let i = 0; i < body.length; i += size) response.write(body.subarray(i, i + size));
      if (route.stream.stallAfter !== true) response.end();
      return;
    }
    response.writeHead(route.status ?? 200, { 'content-type': 'text/plain', 'content-length': String(body.length), ...route.headers });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, route) => routes.set(path, route),
    hits: (path) => hits.get(path) ?? 0,
    lastAuthorization: () => authorization,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
