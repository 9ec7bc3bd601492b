/**
 * The appliance as the integration tests run it on loopback: the scopes in
 * `dir/scopes`, TFTP from `dir/tftp` on 127.0.0.1 (ephemeral port, 10 transfers),
 * DHCP on a free loopback port as interface `bench0` answering as `serverAddress`,
 * leases in `dir/state`, silent logs. Tests add what they need through `extra`.
 */
import { join } from 'node:path';
import { createAppliance, scopeFiles, type Appliance, type ApplianceOptions } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4 } from '../../src/net/ipv4.js';
import { freeUdpPort } from './cli.js';

/** A started loopback appliance and where to reach it. */
export interface LoopbackAppliance {
  readonly appliance: Appliance;
  readonly stateDir: string;
  readonly dhcpPort: number;
  /** The TFTP port it listens on (127.0.0.1). */
  readonly tftpPort: number;
}

/** Starts the appliance for `dir` (see the file comment); `extra` overrides or adds options (a clock, the web side). */
export async function startLoopbackAppliance(dir: string, serverAddress: string, extra: Partial<ApplianceOptions> = {}): Promise<LoopbackAppliance> {
  const stateDir = join(dir, 'state');
  const dhcpPort = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir,
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4(serverAddress) }),
    logger: createSilentLogger(),
    clock: systemClock,
    ...extra,
  });
  await appliance.start();
  const tftpPort = Number(appliance.status().tftp.listen[0]?.split(':')[1]);
  return { appliance, stateDir, dhcpPort, tftpPort };
}
