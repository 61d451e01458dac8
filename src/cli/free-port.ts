// A TCP port for torchrun's rendezvous: train:dist picks one for a one-node run, and the
// two-node test picks one for its simulated node 0.
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the OS's choice; another process may take it before it is used). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('No free TCP port on 127.0.0.1 for the rendezvous of torchrun: free one, or pass --rdzv-endpoint host:port.'))));
    });
  });
}
