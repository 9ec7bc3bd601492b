/**
 * Per-interface DHCP sockets (see shared/DESIGN.md, outside this repository, "Per-interface DHCP sockets").
 *
 * A DHCP server bound to 0.0.0.0:67 would answer on every network the laptop is
 * on (office Wi-Fi, VPN) and become a rogue DHCP server there. So each served
 * interface gets its own socket bound to 0.0.0.0:67 with SO_REUSEADDR and then
 * pinned to that interface with SO_BINDTOIFINDEX (Linux, SOL_SOCKET=1,
 * optname 62). The socket then receives only that interface's datagrams and a
 * reply to 255.255.255.255 leaves through that interface. If the option cannot
 * be set the bind fails (NetError `socket`): there is no fallback to "all interfaces".
 *
 * The `sockopt` package reads the socket's private `_handle`, which makes Node
 * emit deprecation DEP0112 once. {@link withoutDep0112} swaps `process.emitWarning`
 * only for the duration of that one synchronous call, drops warnings whose code is
 * DEP0112 and forwards every other warning unchanged, then restores the original.
 *
 * A plain loopback mode (`{ kind: 'loopback' }`) binds 127.0.0.1:<port> without
 * an ifindex, for integration tests and benchmarks that cannot use port 67.
 */
import type dgram from 'node:dgram';
import { errorMessage } from '../errno.js';
import { NetError } from './net-error.js';
import { loadSockopt, withoutDep0112 } from './sockopt.js';
import { bindDgram, wrapDgramSocket, type UdpEndpoint } from './udp.js';

export { withoutDep0112 } from './sockopt.js';

/** Linux socket-option numbers used here (asm-generic/socket.h). */
export const LINUX_SOCKOPT = {
  SOL_SOCKET: 1,
  SO_BINDTOIFINDEX: 62,
} as const;

/** The DHCP server port (RFC 2131 §4.1). */
export const DHCP_SERVER_PORT = 67;

/** How one DHCP socket is bound. */
export type DhcpSocketSpec =
  /** 0.0.0.0:port pinned to one interface with SO_BINDTOIFINDEX (production). */
  | { readonly kind: 'interface'; readonly interfaceName: string; readonly ifindex: number; readonly port?: number }
  /** address:port without interface pinning (integration tests on 127.0.0.1). */
  | { readonly kind: 'loopback'; readonly address?: string; readonly port: number };

/** Pins a bound socket to one interface with SO_BINDTOIFINDEX; throws NetError `socket` when it cannot. */
export function bindSocketToIfindex(socket: dgram.Socket, ifindex: number, interfaceName: string): void {
  if (process.platform !== 'linux') {
    throw new NetError('socket', `SO_BINDTOIFINDEX needs Linux (this is ${process.platform}); refusing to serve DHCP on all interfaces`);
  }
  if (!Number.isInteger(ifindex) || ifindex <= 0) {
    throw new NetError('socket', `invalid ifindex ${ifindex} for ${interfaceName}`);
  }
  const sockopt = loadSockopt();
  try {
    withoutDep0112(() => sockopt.setsockopt(socket, LINUX_SOCKOPT.SOL_SOCKET, LINUX_SOCKOPT.SO_BINDTOIFINDEX, ifindex));
    const got = withoutDep0112(() => sockopt.getsockopt(socket, LINUX_SOCKOPT.SOL_SOCKET, LINUX_SOCKOPT.SO_BINDTOIFINDEX));
    if (got !== ifindex) throw new Error(`kernel reports ifindex ${got} after setting ${ifindex}`);
  } catch (err) {
    throw new NetError('socket', `cannot pin the DHCP socket to ${interfaceName} (ifindex ${ifindex}) with SO_BINDTOIFINDEX: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

/**
 * Receive buffer of an interface socket. With the kernel default (~208 KiB, about a
 * hundred small datagrams once skb overhead is counted) a pause of a few tens of
 * milliseconds (GC, a busy CPU shared with other programs) at 2,000 requests/s
 * overflows the queue and the kernel drops requests (RcvbufErrors). 4 MiB holds
 * thousands; the kernel clamps it to net.core.rmem_max.
 */
export const DHCP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** Binds one DHCP server socket as `spec` says; broadcast is enabled (replies to 255.255.255.255). */
export async function bindDhcpSocket(spec: DhcpSocketSpec): Promise<UdpEndpoint> {
  return wrapDgramSocket(await bindDhcpDgram(spec));
}

/** {@link bindDhcpSocket}'s socket before it is wrapped (the root parent of a privilege split hands it over). */
export async function bindDhcpDgram(spec: DhcpSocketSpec): Promise<dgram.Socket> {
  if (spec.kind === 'loopback') {
    return bindWithCode(spec.address ?? '127.0.0.1', spec.port, () => bindDgram({ address: spec.address ?? '127.0.0.1', port: spec.port, broadcast: true }));
  }
  const port = spec.port ?? DHCP_SERVER_PORT;
  return bindWithCode(`0.0.0.0 on ${spec.interfaceName}`, port, () =>
    bindDgram({
      address: '0.0.0.0',
      port,
      reuseAddr: true,
      broadcast: true,
      recvBufferBytes: DHCP_RECV_BUFFER_BYTES,
      afterBind: (socket) => bindSocketToIfindex(socket, spec.ifindex, spec.interfaceName),
    }),
  );
}

async function bindWithCode(where: string, port: number, bind: () => Promise<dgram.Socket>): Promise<dgram.Socket> {
  try {
    return await bind();
  } catch (err) {
    if (err instanceof NetError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new NetError('port-in-use', `UDP port ${port} (${where}) is already taken by another program`, { cause: err });
    }
    if (code === 'EACCES') {
      throw new NetError('socket', `no permission to bind UDP port ${port} (${where}); run as root or grant CAP_NET_BIND_SERVICE`, { cause: err });
    }
    throw new NetError('socket', `cannot bind UDP port ${port} (${where}): ${errorMessage(err)}`, { cause: err });
  }
}
