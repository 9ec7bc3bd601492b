/**
 * The privileged jobs as the unprivileged child does them: each is a request to the
 * root parent over the IPC channel (protocol.ts), answered with the socket as the
 * message's handle. A refusal or a failure comes back as the error the direct job
 * would have thrown (a NetError of the same kind, or an Error with the errno code), so
 * the appliance reports it the same way. When the channel closes (the parent is gone),
 * every pending request fails.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { InterfaceAddressSpec, TemporaryAddress } from '../net/address.js';
import { NetError } from '../net/net-error.js';
import type { DhcpSocketRequest, PrivilegedJobs, UdpListenRequest } from '../net/privileged.js';
import { wrapDgramSocket, type UdpEndpoint } from '../net/udp.js';
import { parseJobReply, type JobReply, type JobRequest } from './protocol.js';

/** The IPC channel to the parent (the child's `process`, or a fake in tests). */
export interface JobChannel {
  send(message: JobRequest): void;
  onMessage(handler: (message: unknown, handle: unknown) => void): void;
  onDisconnect(handler: () => void): void;
}

/** A request without its id (the channel numbers them). */
type JobBody = JobRequest extends infer R ? (R extends JobRequest ? Omit<R, 'id'> : never) : never;

type Done = { readonly reply: Extract<JobReply, { kind: 'job-done' }>; readonly handle: unknown };

/** The error a failed job stands for. */
function errorOf(reply: Extract<JobReply, { kind: 'job-failed' }>): Error {
  if (reply.netKind) return new NetError(reply.netKind, reply.message);
  return Object.assign(new Error(reply.message), reply.errno === undefined ? {} : { code: reply.errno });
}

/** The jobs over IPC (see the module comment). */
export class IpcJobs implements PrivilegedJobs {
  private nextId = 1;
  private isClosed = false;
  private readonly pending = new Map<number, { resolve: (d: Done) => void; reject: (err: Error) => void }>();

  constructor(private readonly channel: JobChannel) {
    channel.onMessage((message, handle) => this.settle(message, handle));
    channel.onDisconnect(() => {
      this.isClosed = true;
      for (const p of this.pending.values()) p.reject(new Error('the privileged parent is gone'));
      this.pending.clear();
    });
  }

  private settle(message: unknown, handle: unknown): void {
    const reply = parseJobReply(message);
    const waiting = reply && this.pending.get(reply.id);
    if (!reply || !waiting) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'job-done') waiting.resolve({ reply, handle });
    else waiting.reject(errorOf(reply));
  }

  private ask(body: JobBody): Promise<Done> {
    if (this.isClosed) return Promise.reject(new Error('the privileged parent is gone'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel.send({ ...body, id });
    });
  }

  private static dgramOf(done: Done): UdpEndpoint {
    if (!(done.handle instanceof dgram.Socket)) throw new Error('the privileged parent sent no UDP socket');
    return wrapDgramSocket(done.handle);
  }

  async bindDhcp(request: DhcpSocketRequest): Promise<UdpEndpoint> {
    return IpcJobs.dgramOf(await this.ask({ job: 'bind-dhcp', interfaceName: request.interfaceName, port: request.port }));
  }

  async bindUdp(request: UdpListenRequest): Promise<UdpEndpoint> {
    return IpcJobs.dgramOf(await this.ask({ job: 'bind-udp', ...request }));
  }

  async listenTcp(address: string, port: number): Promise<net.Server> {
    const done = await this.ask({ job: 'listen-tcp', address, port });
    if (!(done.handle instanceof net.Server)) throw new Error('the privileged parent sent no TCP socket');
    return done.handle;
  }

  async addAddress(ifname: string, spec: InterfaceAddressSpec, alreadyHas: boolean): Promise<TemporaryAddress> {
    const body = { interfaceName: ifname, address: spec.address, prefix: spec.prefix };
    const added = alreadyHas ? false : ((await this.ask({ job: 'add-address', ...body })).reply.added ?? false);
    let isRemoved = !added;
    return {
      ifname,
      spec,
      added,
      remove: async () => {
        if (isRemoved) return;
        isRemoved = true;
        await this.ask({ job: 'remove-address', ...body });
      },
    };
  }
}
