/**
 * The syslog receiver of `serve`: one UDP socket per served address (never the
 * wildcard), each datagram parsed (message.ts) and handed to the product, which
 * files it under the device that sent it. A datagram without text is counted and
 * dropped; a handler that throws is counted and never stops the receiver.
 *
 *     const r = new SyslogReceiver({ addresses: ['10.10.0.1'], port: 514, bind, onMessage: (m, from) => file(m, from) });
 *     await r.start();
 */
import type { UdpEndpoint, UdpPeer } from '../net/udp-endpoint.js';
import { parseSyslog, type SyslogMessage } from './message.js';

/** What the receiver needs. */
export interface SyslogReceiverOptions {
  readonly addresses: readonly string[];
  readonly port: number;
  /** Binds one socket (real: `bindUdp`; tests: loopback). */
  readonly bind: (address: string, port: number) => Promise<UdpEndpoint>;
  /** Files one message; returns whether it found the device that sent it. */
  readonly onMessage: (message: SyslogMessage, from: UdpPeer) => boolean;
  /** Called when a handler or a socket fails (logged by the product). */
  readonly onError: (err: unknown) => void;
}

/** What the receiver has seen since start. */
export interface SyslogCounters {
  /** Datagrams received. */
  received: number;
  /** Messages filed under a device. */
  filed: number;
  /** Messages from an address that holds no lease (no device to file them under). */
  unattributed: number;
  /** Datagrams without text, dropped. */
  empty: number;
  /** Handlers that threw. */
  failed: number;
}

/** UDP syslog on the served addresses (see the module comment). */
export class SyslogReceiver {
  private endpoints: UdpEndpoint[] = [];
  private readonly count: SyslogCounters = { received: 0, filed: 0, unattributed: 0, empty: 0, failed: 0 };

  constructor(private readonly options: SyslogReceiverOptions) {}

  /** Binds every address; when one fails, those bound are closed and the error is thrown. */
  async start(): Promise<void> {
    for (const address of this.options.addresses) {
      try {
        const endpoint = await this.options.bind(address, this.options.port);
        endpoint.onMessage((data, from) => this.receive(data, from));
        endpoint.onError((err) => this.options.onError(err));
        this.endpoints.push(endpoint);
      } catch (err) {
        await this.close();
        throw err;
      }
    }
  }

  /** The bound addresses. */
  addresses(): UdpPeer[] {
    return this.endpoints.map((e) => e.local());
  }

  counters(): SyslogCounters {
    return { ...this.count };
  }

  async close(): Promise<void> {
    const endpoints = this.endpoints;
    this.endpoints = [];
    await Promise.all(endpoints.map((e) => e.close()));
  }

  private receive(data: Buffer, from: UdpPeer): void {
    this.count.received++;
    const message = parseSyslog(data);
    if (message === undefined) {
      this.count.empty++;
      return;
    }
    try {
      if (this.options.onMessage(message, from)) this.count.filed++;
      else this.count.unattributed++;
    } catch (err) {
      this.count.failed++;
      this.options.onError(err);
    }
  }
}
