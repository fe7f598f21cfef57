/** Small helpers for the loopback servers the runtime and the tests start. */
import type { Server as NetServer } from 'node:net';

/** An http, https or plain net server. */
type Server = NetServer & { closeAllConnections?(): void };

export const LOOPBACK = '127.0.0.1';

export const listen = (server: Server, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
