/** A TCP port on 127.0.0.1 that nobody listens on right now. */
import net from 'node:net';

/** Asks the kernel for a free port (listen on port 0) and releases it again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
