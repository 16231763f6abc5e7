import { createServer } from 'node:net';

/**
 * The node's pod network, simulated: each pod gets an address from the node's pod CIDR
 * 10.244.0.0/24 (kind's first node) for the status, while its container ports really listen on
 * 127.0.0.1 at ports the node allocates.
 */
const POD_CIDR_PREFIX = '10.244.0.';

export class PodAddresses {
  private readonly taken = new Map<string, string>();

  /** Keeps an address a pod already had (after a restart of the simulator). */
  keep(podUid: string, ip: string): void {
    this.taken.set(ip, podUid);
  }

  /** The lowest free address, .1 being the gateway. */
  allocate(podUid: string, inUse: Iterable<string>): string | undefined {
    const used = new Set(inUse);
    for (let host = 2; host < 255; host++) {
      const ip = `${POD_CIDR_PREFIX}${host}`;
      if (this.taken.has(ip) || used.has(ip)) continue;
      this.taken.set(ip, podUid);
      return ip;
    }
    return undefined;
  }

  release(podUid: string): void {
    for (const [ip, owner] of this.taken) if (owner === podUid) this.taken.delete(ip);
  }
}

/** A port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
