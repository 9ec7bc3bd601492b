/**
 * Transfer sockets (a new TID per transfer, RFC 1350 §4): an ephemeral port chosen by
 * the system, or the next free port of a configured range, taken in turn.
 */
import type { UdpEndpoint } from '../net/udp.js';
import type { BindFn } from './server-options.js';
import { TftpError } from './tftp-error.js';

/** Binds transfer sockets, in a port range when one is set. */
export class TransferPorts {
  private next: number;

  constructor(
    private readonly bind: BindFn,
    private readonly range: readonly [number, number] | undefined,
  ) {
    this.next = range?.[0] ?? 0;
  }

  /** Binds a transfer socket on `address`; TftpError `socket` when every port of the range is taken. */
  async open(address: string): Promise<UdpEndpoint> {
    const range = this.range;
    if (!range) return this.bind(address, 0);
    const [lo, hi] = range;
    let lastErr: unknown;
    for (let i = 0; i < hi - lo + 1; i++) {
      const port = this.next;
      this.next = this.next >= hi ? lo : this.next + 1;
      try {
        return await this.bind(address, port);
      } catch (err) {
        lastErr = err; // taken: try the next one
      }
    }
    throw new TftpError('socket', `no free port in ${lo}-${hi}`, { cause: lastErr });
  }
}
