/**
 * The parent's real jobs: sockets bound here as root (the DHCP one pinned to the
 * interface whose ifindex the parent reads itself) and the temporary address added
 * with `ip` (address.ts), unless the interface already holds it.
 */
import { networkInterfaces } from 'node:os';
import { addTemporaryAddress } from '../net/address.js';
import { bindDhcpDgram } from '../net/bind-interface.js';
import { readIfindex } from '../net/interfaces.js';
import { parseIpv4 } from '../net/ipv4.js';
import { NetError } from '../net/net-error.js';
import { listenTcpServer } from '../net/privileged.js';
import { bindDgram } from '../net/udp.js';
import type { ParentJobs } from './parent.js';

/** The IPv4 addresses `name` holds now. */
export function systemAddressesOf(name: string): string[] {
  return (networkInterfaces()[name] ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address);
}

/** True when `name` holds address/prefix now. */
function holds(name: string, address: string, prefix: number): boolean {
  return (networkInterfaces()[name] ?? []).some((a) => a.family === 'IPv4' && a.address === address && a.cidr === `${address}/${prefix}`);
}

/** The real jobs. */
export const systemParentJobs: ParentJobs = {
  async bindDhcp(interfaceName, port) {
    const ifindex = await readIfindex(interfaceName);
    if (ifindex === undefined) throw new NetError('interface', `interface ${interfaceName} does not exist`);
    return bindDhcpDgram({ kind: 'interface', interfaceName, ifindex, port });
  },
  bindUdp: (r) =>
    bindDgram({
      address: r.address,
      port: r.port,
      ...(r.recvBufferBytes === undefined ? {} : { recvBufferBytes: r.recvBufferBytes }),
      ...(r.sendBufferBytes === undefined ? {} : { sendBufferBytes: r.sendBufferBytes }),
    }),
  listenTcp: listenTcpServer,
  addAddress: (interfaceName, address, prefix) => addTemporaryAddress(interfaceName, { address: parseIpv4(address), prefix }, holds(interfaceName, address, prefix)),
};
