/**
 * The jobs that need root, behind one seam: binding the listening sockets (DHCP pinned
 * to an interface, TFTP's port 69, syslog's 514, HTTP's 80 and 6970, the dashboard) and
 * giving an interface the temporary `--address`. Everything else runs without
 * privilege.
 *
 * `directJobs` does them in this process (a single process: tests on high ports, a run
 * that is not root). Under `sudo`, serve runs the appliance as the invoking user and
 * these jobs become requests to a small root parent (src/priv/) that checks each one
 * against the command line and refuses anything else. Every caller goes through this
 * seam (the appliance's options carry it), so that a socket bound again later (a reload
 * that adds an interface, a link that comes back) is bound the same way.
 */
import net from 'node:net';
import { addTemporaryAddress, type InterfaceAddressSpec, type TemporaryAddress } from './address.js';
import { bindDhcpSocket } from './bind-interface.js';
import { bindUdp, type UdpEndpoint } from './udp.js';

/** A DHCP socket on 0.0.0.0:port pinned to one interface (port 67 serves; 68 is the start-up probe). */
export interface DhcpSocketRequest {
  readonly interfaceName: string;
  readonly ifindex: number;
  readonly port: number;
}

/** A listening UDP socket on address:port (TFTP, syslog), with optional buffer sizes in bytes. */
export interface UdpListenRequest {
  readonly address: string;
  readonly port: number;
  readonly recvBufferBytes?: number;
  readonly sendBufferBytes?: number;
}

/** The jobs that need privilege (see the module comment). */
export interface PrivilegedJobs {
  /** Binds a DHCP socket pinned to an interface with SO_BINDTOIFINDEX (bind-interface.ts). */
  bindDhcp(request: DhcpSocketRequest): Promise<UdpEndpoint>;
  /** Binds a listening UDP socket. */
  bindUdp(request: UdpListenRequest): Promise<UdpEndpoint>;
  /** A TCP server listening on address:port, for `http.Server.listen(server)` (port 0: one the system picks). */
  listenTcp(address: string, port: number): Promise<net.Server>;
  /**
   * Gives `ifname` the address `spec` for the run unless it already has it (address.ts);
   * the returned `remove()` takes it off again.
   */
  addAddress(ifname: string, spec: InterfaceAddressSpec, alreadyHas: boolean): Promise<TemporaryAddress>;
}

/** Listens on address:port; rejects with the listen error (EADDRINUSE, EACCES, ...). */
export function listenTcpServer(address: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The jobs done in this process (it must have the privilege the ports and addresses need). */
export const directJobs: PrivilegedJobs = {
  bindDhcp: (r) => bindDhcpSocket({ kind: 'interface', interfaceName: r.interfaceName, ifindex: r.ifindex, port: r.port }),
  bindUdp: (r) =>
    bindUdp({
      address: r.address,
      port: r.port,
      ...(r.recvBufferBytes === undefined ? {} : { recvBufferBytes: r.recvBufferBytes }),
      ...(r.sendBufferBytes === undefined ? {} : { sendBufferBytes: r.sendBufferBytes }),
    }),
  listenTcp: listenTcpServer,
  addAddress: (ifname, spec, alreadyHas) => addTemporaryAddress(ifname, spec, alreadyHas),
};

/**
 * Makes `server` (an http.Server, fastify's) accept on the socket `listening` holds
 * (from {@link PrivilegedJobs.listenTcp}; Node's `server.listen(handle)`).
 */
export function listenOnHandle(server: net.Server, listening: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listening, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
