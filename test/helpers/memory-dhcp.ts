/**
 * A real DHCP server over a lease journal on an in-memory network: one interface
 * (`bench0` unless told) with the server at `serverAddress`, port 67. For tests of
 * what the store and the engine do together, without sockets.
 */
import type { Clock } from '../../src/clock.js';
import type { Scope } from '../../src/dhcp/scope.js';
import { createDhcpServer, type DhcpServer, type DhcpServerOptions } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4 } from '../../src/net/ipv4.js';
import type { MemoryNetwork } from '../../src/net/udp.js';

export interface MemoryDhcpServerOptions {
  readonly scope: Scope;
  readonly store: DhcpServerOptions['journal'] & { readonly loaded: DhcpServerOptions['initialLeases'] };
  readonly clock: Clock;
  readonly net: MemoryNetwork;
  readonly serverAddress: string;
  readonly interfaceName?: string;
}

/** Builds (does not start) the server. */
export function memoryDhcpServer(o: MemoryDhcpServerOptions): DhcpServer {
  const interfaceName = o.interfaceName ?? 'bench0';
  return createDhcpServer({
    scopes: [o.scope],
    journal: o.store,
    initialLeases: o.store.loaded,
    logger: createSilentLogger(),
    clock: o.clock,
    bindings: () => Promise.resolve([{ interfaceName, serverAddress: parseIpv4(o.serverAddress), endpoint: o.net.bind(o.serverAddress, 67) }]),
  });
}
