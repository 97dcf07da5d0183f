/**
 * A TCP load balancer on loopback, standing in for a Service in front of several Portcullis
 * replicas: each connection goes to the next backend in turn; a backend that refuses the
 * connection (a killed replica) is skipped for the next one. Bytes are piped untouched, so TLS
 * is end to end between the API server and the replica.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpBalancer {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Connections passed to each backend (by `host:port`). */
  readonly connections: Map<string, number>;
  stop(): Promise<void>;
}

export async function startTcpBalancer(backends: () => readonly number[]): Promise<TcpBalancer> {
  let next = 0;
  const connections = new Map<string, number>();
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.pause();
    const ports = backends();
    const attempt = (tries: number): void => {
      if (tries >= ports.length) { client.destroy(); return; }
      const port = ports[(next++) % ports.length] as number;
      const upstream = connect({ host: '127.0.0.1', port });
      upstream.once('connect', () => {
        open.add(upstream);
        upstream.on('close', () => open.delete(upstream));
        connections.set(`127.0.0.1:${port}`, (connections.get(`127.0.0.1:${port}`) ?? 0) + 1);
        client.pipe(upstream).pipe(client);
        client.resume();
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
      upstream.once('error', (err: NodeJS.ErrnoException) => {
        if (upstream.connecting || err.code === 'ECONNREFUSED') attempt(tries + 1);
        else client.destroy();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    async stop() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
