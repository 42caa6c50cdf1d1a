/**
 * A small in-process TCP proxy for fault tests: put it in front of a real server and make the network
 * misbehave. `blackHole()` keeps every socket open but stops forwarding (a frozen server or a path that
 * drops packets); `cut()` destroys every open connection (a reset mid-statement); `delay(ms)` holds
 * each chunk from the server back that long (a slow network), in order. New connections after `blackHole()` still pass unless `blackHoleNew` is set.
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';

export interface FaultProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  /** Stops forwarding in both directions on every open connection (sockets stay open). */
  blackHole(): void;
  /** Destroys every open connection, both sides. */
  cut(): void;
  /** Holds each chunk from the server back `ms` before passing it on (0: pass at once). */
  delay(ms: number): void;
  /** Calls `onData` for each chunk the client sends (to cut right after a statement was sent). */
  onClientData(listener: ((chunk: Buffer) => void) | null): void;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly server: Socket;
  frozen: boolean;
}

/** Starts a proxy to `host:port`. */
export async function startFaultProxy(host: string, port: number): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let opened = 0;
  let clientListener: ((chunk: Buffer) => void) | null = null;
  let delayMs = 0;
  const server: Server = createServer((client) => {
    opened++;
    const upstream = tcpConnect(port, host);
    const pair: Pair = { client, server: upstream, frozen: false };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.frozen) return;
      upstream.write(chunk);
      clientListener?.(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (pair.frozen) return;
      if (delayMs === 0) client.write(chunk);
      else {
        // Pause the upstream so that chunks keep their order while one is held back.
        upstream.pause();
        setTimeout(() => {
          if (!pair.frozen && !client.destroyed) client.write(chunk);
          upstream.resume();
        }, delayMs);
      }
    });
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const proxyPort = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port: proxyPort,
    rewrite: (url) => url.replace(/@[^/@]+\//, `@127.0.0.1:${proxyPort}/`),
    blackHole() {
      for (const p of pairs) p.frozen = true;
    },
    cut() {
      for (const p of pairs) {
        p.client.resetAndDestroy();
        p.server.destroy();
      }
      pairs.clear();
    },
    delay(ms) {
      delayMs = ms;
    },
    onClientData(listener) {
      clientListener = listener;
    },
    get connections() {
      return opened;
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
