/**
 * What the root parent agrees to do: only the jobs the command line and the scope
 * files name. A DHCP socket only on a served interface and the DHCP ports (the server's,
 * and 68 for the start-up probe); UDP and TCP listeners only on the configured ports and
 * on an address a served interface holds (the dashboard on its own address); the
 * temporary address only as `--address` gives it, and only removing what was added.
 * Anything else is refused with the reason, which the parent logs.
 */
import type { JobRequest } from './protocol.js';

/** The parent's rules, from the command line (see the module comment). */
export interface JobPolicy {
  readonly dhcpPorts: readonly number[];
  /** TFTP's and syslog's ports. */
  readonly udpPorts: readonly number[];
  /** HTTP's ports. */
  readonly tcpPorts: readonly number[];
  /** The dashboard's address and port (`--web`), when it has one. */
  readonly web?: { readonly address: string; readonly port: number };
  /** `--address` and its interface. */
  readonly temporary?: { readonly interfaceName: string; readonly address: string; readonly prefix: number };
  /** The interfaces the configuration names now (asked again for each request: a reload may add one). */
  servedInterfaces(): Promise<readonly string[]>;
  /** The IPv4 addresses `name` holds now. */
  addressesOf(name: string): readonly string[];
}

/** The addresses the served interfaces hold now. */
async function servedAddresses(policy: JobPolicy): Promise<string[]> {
  return (await policy.servedInterfaces()).flatMap((name) => policy.addressesOf(name));
}

/** Why `request` is refused, or undefined when the parent may do it. `isAdded` says whether the parent added that address. */
export async function refusalOf(request: JobRequest, policy: JobPolicy, isAdded: (interfaceName: string, address: string, prefix: number) => boolean): Promise<string | undefined> {
  switch (request.job) {
    case 'bind-dhcp':
      if (!policy.dhcpPorts.includes(request.port)) return `port ${request.port} is not a DHCP port of this run`;
      if (!(await policy.servedInterfaces()).includes(request.interfaceName)) return `interface ${request.interfaceName} is not served`;
      return undefined;
    case 'bind-udp':
      if (!policy.udpPorts.includes(request.port)) return `UDP port ${request.port} is not one this run listens on`;
      if (!(await servedAddresses(policy)).includes(request.address)) return `${request.address} is not an address of a served interface`;
      return undefined;
    case 'listen-tcp': {
      const web = policy.web;
      if (web && web.address === request.address && web.port === request.port) return undefined;
      if (!policy.tcpPorts.includes(request.port)) return `TCP port ${request.port} is not one this run listens on`;
      if (!(await servedAddresses(policy)).includes(request.address)) return `${request.address} is not an address of a served interface`;
      return undefined;
    }
    case 'add-address': {
      const t = policy.temporary;
      if (!t || t.interfaceName !== request.interfaceName || t.address !== request.address || t.prefix !== request.prefix) return 'only the --address of this run may be added';
      return undefined;
    }
    case 'remove-address':
      return isAdded(request.interfaceName, request.address, request.prefix) ? undefined : 'only an address this run added may be removed';
  }
}
