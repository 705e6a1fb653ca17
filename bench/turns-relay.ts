/**
 * Two relays the turn-latency benchmark puts between the app and its peers, so it can see when an
 * answer arrived and what a turn cost:
 * - a recording relay in front of the connector simulator: every request the simulator accepts
 *   (2xx) is noted with the time it reached the relay, its conversation, activity id and card —
 *   new messages and in-place updates alike (the simulator itself keeps only new messages);
 * - a counting relay in front of Azurite's table, queue and blob endpoints (TCP, request lines
 *   counted), for the per-turn storage round trips of a trace run.
 */
import http from 'node:http';
import net from 'node:net';

export type Card = Record<string, unknown>;

export interface ConnectorCall {
  method: 'POST' | 'PUT';
  /** Empty for a conversation created (a new chat, or a new post in a channel). */
  conversationId: string;
  /** The activity sent (POST: the id the connector gave it) or updated (PUT). */
  activityId: string;
  /** POST only: the activity it replies to. */
  replyToId?: string;
  /** Epoch ms when the request reached the relay. */
  at: number;
  card?: Card;
}

export interface ConnectorRecorder {
  url: string;
  readonly calls: readonly ConnectorCall[];
  /** Requests the simulator refused (429, 5xx), by status and conversation ("429 a:turns-3"). */
  readonly refused: ReadonlyMap<string, number>;
  /** The first accepted call that `match` picks, or undefined once `deadline` (epoch ms) passes. */
  waitFor(match: (c: ConnectorCall) => boolean, deadline: number): Promise<ConnectorCall | undefined>;
  close(): Promise<void>;
}

const ACTIVITY_PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;

function cardOf(payload: Record<string, unknown>): Card | undefined {
  const att = (payload.attachments as { content?: Card }[] | undefined)?.[0];
  return att?.content;
}

export async function startConnectorRecorder(targetUrl: string): Promise<ConnectorRecorder> {
  const target = targetUrl.replace(/\/$/, '');
  const calls: ConnectorCall[] = [];
  const refused = new Map<string, number>();
  const waiters = new Set<{ match: (c: ConnectorCall) => boolean; resolve: (c: ConnectorCall) => void }>();

  const note = (call: ConnectorCall) => {
    calls.push(call);
    for (const w of waiters) {
      if (w.match(call)) {
        waiters.delete(w);
        w.resolve(call);
      }
    }
  };

  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'authorization']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        ...(body && req.method !== 'GET' ? { body } : {}),
      })
        .then(async (upstream) => {
          const text = await upstream.text();
          const out: Record<string, string> = { 'Content-Type': 'application/json' };
          const retryAfter = upstream.headers.get('retry-after');
          if (retryAfter) out['Retry-After'] = retryAfter;
          res.writeHead(upstream.status, out);
          res.end(text);
          const path = (req.url ?? '').split('?')[0]!;
          if (upstream.status >= 300) {
            const where = ACTIVITY_PATH.exec(path)?.[1];
            const key = `${upstream.status} ${where ? decodeURIComponent(where) : path}`;
            refused.set(key, (refused.get(key) ?? 0) + 1);
            return;
          }
          if (req.method === 'POST' && path === '/v3/conversations') {
            note({ method: 'POST', conversationId: '', activityId: '', at });
            return;
          }
          const m = ACTIVITY_PATH.exec(path);
          if (!m || (req.method !== 'POST' && req.method !== 'PUT')) return;
          const payload = body ? (JSON.parse(body) as Record<string, unknown>) : {};
          const conversationId = decodeURIComponent(m[1]!);
          if (req.method === 'PUT') {
            note({
              method: 'PUT',
              conversationId,
              activityId: decodeURIComponent(m[2]!),
              at,
              card: cardOf(payload),
            });
            return;
          }
          const sent = text ? (JSON.parse(text) as { id?: string }) : {};
          const replyTo =
            (payload.replyToId as string | undefined) ?? (m[2] ? decodeURIComponent(m[2]) : undefined);
          note({
            method: 'POST',
            conversationId,
            activityId: sent.id ?? '',
            ...(replyTo ? { replyToId: replyTo } : {}),
            at,
            card: cardOf(payload),
          });
        })
        .catch((err: unknown) => {
          res.writeHead(502, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'RelayError', message: String(err) } }));
        });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    refused,
    waitFor: (match, deadline) => {
      const found = calls.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => {
        const waiter = {
          match,
          resolve: (c: ConnectorCall | undefined) => {
            clearTimeout(timer);
            resolve(c);
          },
        };
        const timer = setTimeout(
          () => {
            waiters.delete(waiter);
            resolve(undefined);
          },
          Math.max(0, deadline - Date.now()),
        );
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface StorageCounter {
  connectionString: string;
  /** Storage HTTP requests passed on so far (table, queue and blob together). */
  readonly count: number;
  /** Each request's time and line ("GET /devstoreaccount1/turnsParticipants(…)"), query left off. */
  readonly requests: readonly { at: number; line: string }[];
  close(): Promise<void>;
}

/** A request line as an HTTP/1.1 client writes it; a batch body's inner lines carry absolute URLs. */
const REQUEST_LINE =
  /(?:^|\r\n)((?:GET|PUT|POST|PATCH|MERGE|DELETE|HEAD|OPTIONS) \/[^?\s]*)\S* HTTP\/1\.1\r\n/g;

/** A TCP relay per endpoint of `connectionString` that counts the requests passing through. */
export async function startStorageCounter(connectionString: string): Promise<StorageCounter> {
  const requests: { at: number; line: string }[] = [];
  let relayed = connectionString;
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  for (const key of ['TableEndpoint', 'QueueEndpoint', 'BlobEndpoint']) {
    const match = new RegExp(`${key}=http://([^:/;]+):(\\d+)`).exec(connectionString);
    if (!match) throw new Error(`no ${key} in the connection string`);
    const [, host, port] = match;
    const server = net.createServer((client) => {
      const upstream = net.connect(Number(port), host);
      sockets.add(client).add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.on('data', (chunk: Buffer) => {
        const at = Date.now();
        for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) requests.push({ at, line: m[1]! });
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    const local = (server.address() as { port: number }).port;
    relayed = relayed.replace(`${key}=http://${host}:${port}`, `${key}=http://127.0.0.1:${local}`);
  }
  return {
    connectionString: relayed,
    get count() {
      return requests.length;
    },
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
