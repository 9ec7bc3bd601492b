/**
 * The DHCP server's sockets: which interfaces the scopes ask to serve, and the
 * factories that bind them (real per-interface sockets pinned with SO_BINDTOIFINDEX,
 * or one loopback socket for tests and benchmarks).
 *
 * Interface safety: the server binds only interfaces that some scope names, and
 * a scope whose interface is missing or holds no address in the scope's subnet
 * stops `start()` with a DhcpError of kind `interface`. Relayed requests (giaddr
 * set, to port 67) and unicast renewals arrive on the same sockets and are accepted.
 */
import type { Scope } from './scope.js';
import { errorMessage } from '../errno.js';
import type { Ipv4 } from '../net/ipv4.js';
import { bindDhcpSocket, DHCP_SERVER_PORT } from '../net/bind-interface.js';
import type { DhcpSocketRequest } from '../net/privileged.js';
import { requireInterfaceForSubnet, systemInterfaceSource, type InterfaceSource } from '../net/interfaces.js';
import type { UdpEndpoint } from '../net/udp.js';
import { DhcpError } from './dhcp-error.js';

/** One socket serving one interface. */
export interface DhcpBinding {
  /** The interface name scopes refer to (`scope.interface`). */
  readonly interfaceName: string;
  /** Our address on that interface (server identifier, option 54; RFC 2131 §4.3.1). */
  readonly serverAddress: Ipv4;
  readonly endpoint: UdpEndpoint;
  /**
   * Loopback test mode: answer to the datagram's source address and port instead of
   * the engine's destination (there is no broadcast domain on 127.0.0.1).
   */
  readonly answerToSender?: boolean;
}

/** An interface the scopes ask to serve, with the scopes that name it. */
export interface ServedInterface {
  readonly name: string;
  readonly scopes: readonly Scope[];
}

/** Binds sockets for the served interfaces (real per-interface sockets, loopback, or in memory). */
export type DhcpBindingFactory = (interfaces: readonly ServedInterface[]) => Promise<DhcpBinding[]>;

/** Groups scopes by interface, in first-seen order. */
export function servedInterfaces(scopes: readonly Scope[]): ServedInterface[] {
  const byName = new Map<string, Scope[]>();
  for (const s of scopes) {
    const list = byName.get(s.interface) ?? [];
    list.push(s);
    byName.set(s.interface, list);
  }
  return [...byName].map(([name, list]) => ({ name, scopes: list }));
}

/**
 * Real per-interface sockets on 0.0.0.0:67 pinned with SO_BINDTOIFINDEX. Every
 * scope's interface must exist and hold an address in the scope's subnet. `bind` binds
 * one socket (default: here; under a privilege split: PrivilegedJobs.bindDhcp, src/net/privileged.ts).
 */
export function systemBindings(options: { port?: number; source?: InterfaceSource; bind?: (request: DhcpSocketRequest) => Promise<UdpEndpoint> } = {}): DhcpBindingFactory {
  const bind = options.bind ?? ((r: DhcpSocketRequest) => bindDhcpSocket({ kind: 'interface', ...r }));
  return async (interfaces) => {
    const resolved = [];
    for (const served of interfaces) {
      let first: Awaited<ReturnType<typeof requireInterfaceForSubnet>> | undefined;
      for (const scope of served.scopes) {
        const r = await requireInterfaceForSubnet(served.name, scope.subnet, options.source ?? systemInterfaceSource).catch((err: unknown) => {
          throw new DhcpError('interface', served.name, `scope ${scope.name}: ${errorMessage(err)}`, { scope: scope.name, cause: err });
        });
        first ??= r;
      }
      if (first) resolved.push({ name: served.name, ...first });
    }
    const out: DhcpBinding[] = [];
    try {
      for (const r of resolved) {
        const endpoint = await bind({ interfaceName: r.name, ifindex: r.iface.ifindex, port: options.port ?? DHCP_SERVER_PORT });
        out.push({ interfaceName: r.name, serverAddress: r.address, endpoint });
      }
    } catch (err) {
      await Promise.all(out.map((b) => b.endpoint.close()));
      throw err;
    }
    return out;
  };
}

/**
 * Loopback mode for integration tests and benchmarks: one socket on
 * `address:port` (no interface pinning) stands for interface `interfaceName`,
 * and answers go back to the sender.
 */
export function loopbackBindings(options: { port: number; address?: string; interfaceName: string; serverAddress: Ipv4 }): DhcpBindingFactory {
  return async (interfaces) => {
    if (!interfaces.some((i) => i.name === options.interfaceName)) {
      throw new DhcpError('interface', options.interfaceName, `no scope names interface ${options.interfaceName}, which the loopback socket stands for`);
    }
    const endpoint = await bindDhcpSocket({ kind: 'loopback', address: options.address ?? '127.0.0.1', port: options.port });
    return [{ interfaceName: options.interfaceName, serverAddress: options.serverAddress, endpoint, answerToSender: true }];
  };
}

