import { randomUUID } from 'node:crypto';
import http from 'node:http';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  activityId?: string;
  body: Record<string, unknown>;
}

/**
 * A Bot Connector stand-in speaking the v3 REST wire format: it records every activity the bot
 * sends or updates, and answers like the real service (ResourceResponse with an id).
 */
export async function startFakeConnector(): Promise<{
  url: string;
  calls: ConnectorCall[];
  close(): Promise<void>;
}> {
  const calls: ConnectorCall[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        conversationId: decodeURIComponent(m[1]!),
        activityId: m[2],
        body,
      });
      res.writeHead(req.method === 'PUT' ? 200 : 201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: m[2] && req.method === 'PUT' ? m[2] : `activity-${randomUUID()}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
