/**
 * The TFTP server's listening sockets (port 69 on each served address). They are opened
 * at start and can be opened and closed one address at a time while serving: a served
 * interface that comes back with another address gets a socket on the new one, and the
 * old one is closed (src/appliance/links.ts). Transfers run on their own sockets and are
 * not touched.
 */
import type { Logger } from '../log.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import type { BindFn } from './server-options.js';

/** What a listening socket's datagrams are handed to. */
export type RequestHandler = (listener: UdpEndpoint, msg: Buffer, from: UdpPeer) => void;

/** The open listening sockets. */
export class Listeners {
  private readonly open: UdpEndpoint[] = [];

  constructor(
    private readonly bind: BindFn,
    private readonly onRequest: RequestHandler,
    private readonly log: Logger,
  ) {}

  /** Binds `address:port` and hands its datagrams to the request handler. */
  async listen(address: string, port: number): Promise<void> {
    const ep = await this.bind(address, port);
    ep.onMessage((msg, from) => this.onRequest(ep, msg, from));
    ep.onError((err) => this.log.error('listening socket error', { err: err.message }));
    this.open.push(ep);
  }

  /** Closes the sockets listening on `address`. */
  async close(address: string): Promise<void> {
    const closing = this.open.filter((l) => l.local().address === address);
    for (const l of closing) this.open.splice(this.open.indexOf(l), 1);
    await Promise.all(closing.map((l) => l.close()));
  }

  /** Closes every listening socket. */
  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((l) => l.close()));
  }

  /** The socket on `address`, else the first one (where to answer "busy" from). */
  on(address: string): UdpEndpoint | undefined {
    return this.open.find((l) => l.local().address === address) ?? this.open[0];
  }

  /** The bound addresses. */
  addresses(): UdpPeer[] {
    return this.open.map((l) => l.local());
  }
}
