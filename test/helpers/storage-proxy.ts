import net from 'node:net';
import { testConnectionString } from './storage';

/**
 * A TCP relay in front of Azurite's table, queue and blob endpoints that can be switched into a
 * black hole: connections are accepted and nothing is answered, as when a storage account is out
 * of reach. `pauseWhen` switches at the first request whose request line matches, before it is
 * passed on, so a test can stop storage in the middle of a turn (say, at its first write).
 */
export interface StorageProxy {
  connectionString: string;
  pause(): void;
  /** Pauses when a request line ("PUT /devstoreaccount1/t1Participants(...) HTTP/1.1") matches. */
  pauseWhen(match: (requestLine: string) => boolean): void;
  resume(): void;
  readonly paused: boolean;
  /** Request lines that were passed on to Azurite. */
  readonly forwarded: string[];
  close(): Promise<void>;
}

const METHOD = /^(GET|PUT|POST|PATCH|MERGE|DELETE|HEAD|OPTIONS) /;

export async function startStorageProxy(): Promise<StorageProxy> {
  let paused = false;
  let trigger: ((line: string) => boolean) | undefined;
  const forwarded: string[] = [];
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  let connectionString = testConnectionString();

  for (const key of ['TableEndpoint', 'QueueEndpoint', 'BlobEndpoint']) {
    const match = new RegExp(`${key}=http://([^:/;]+):(\\d+)`).exec(connectionString);
    if (!match) throw new Error(`no ${key} in the test connection string`);
    const [, host, port] = match;
    const server = net.createServer((client) => {
      sockets.add(client);
      const upstream = net.connect(Number(port), host);
      sockets.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.on('data', (chunk: Buffer) => {
        const line = chunk.toString('latin1', 0, Math.min(chunk.length, 300)).split('\r\n')[0] ?? '';
        if (!paused && trigger && METHOD.test(line) && trigger(line)) {
          paused = true;
          trigger = undefined;
        }
        if (paused) return;
        if (METHOD.test(line)) forwarded.push(line);
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (!paused) client.write(chunk);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const proxyPort = (server.address() as net.AddressInfo).port;
    connectionString = connectionString.replace(
      `${key}=http://${host}:${port}`,
      `${key}=http://127.0.0.1:${proxyPort}`,
    );
  }

  return {
    connectionString,
    pause: () => {
      paused = true;
    },
    pauseWhen: (match) => {
      trigger = match;
    },
    resume: () => {
      paused = false;
      trigger = undefined;
      // Connections that saw a half-relayed request cannot be trusted again.
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    get paused() {
      return paused;
    },
    forwarded,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** A port that accepts connections and never answers, for storage that is not there at all. */
export async function startBlackHole(): Promise<{
  port: number;
  connections: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
