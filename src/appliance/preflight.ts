/**
 * Checks made before the first lease: {@link preflight} refuses to start when UDP
 * 67 or 69 is held by another program (naming it from /proc), and when another
 * DHCP server answers a probe DISCOVER on a served interface (unless forced).
 * {@link requireDirectory} is the directory check shared with `doctor`.
 */
import { access, stat } from 'node:fs/promises';
import type { Clock } from '../clock.js';
import { DHCP_PORT } from '../dhcp/constants.js';
import { describeProbeAnswer, isOwnAnswer, probeInterface, type ProbeAnswer } from '../dhcp/probe.js';
export { DEFAULT_PROBE_TIMEOUT_MS } from '../dhcp/probe.js';
import { ERRORS, errorMessage, isBenchbootError } from '../errors.js';
import type { Logger } from '../log.js';
import { toBenchbootError } from '../protocol-errors.js';
import type { Ipv4 } from '../net/ipv4.js';
import { describePortOwner, findUdpPortOwners, type PortOwner } from '../net/port-owner.js';
import type { PrivilegedJobs } from '../net/privileged.js';

/** Throws unless `path` is a directory this process may use with `mode` (fs.constants bits). */
export async function requireDirectory(path: string, mode: number): Promise<void> {
  if (!(await stat(path)).isDirectory()) throw new Error('not a directory');
  await access(path, mode);
}

/** What {@link preflight} checks before the first lease. */
export interface PreflightOptions {
  /** Interfaces to probe for another DHCP server (empty: no probe, e.g. loopback tests). */
  readonly probeInterfaces: readonly string[];
  /** Our own addresses: an answer from one of them is not a foreign server. */
  readonly ownAddresses: readonly Ipv4[];
  readonly dhcpPort: number;
  readonly tftpPort: number;
  /** Start even when another DHCP server answers. */
  readonly force: boolean;
  readonly probeTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Port lookup seam (default: /proc). */
  readonly findOwners?: (port: number) => Promise<PortOwner[]>;
  /** Probe seam (default: a real DISCOVER on the interface). */
  readonly probe?: (interfaceName: string) => Promise<readonly ProbeAnswer[]>;
  /** A stop request (Ctrl-C): the probe ends at once and preflight returns what it found. */
  readonly abort?: AbortSignal;
  /** Called as each interface's probe begins (the serve command's start-up steps). */
  readonly onProbe?: (interfaceName: string) => void;
  /** Binds the probe's socket (UDP 68 on the interface; default: here, see src/net/privileged.ts). */
  readonly bindDhcp?: PrivilegedJobs['bindDhcp'];
}

/** A foreign DHCP server found by the probe. */
export interface RogueServer {
  readonly interfaceName: string;
  readonly answer: ProbeAnswer;
}

type FindOwners = (port: number) => Promise<PortOwner[]>;

/**
 * Throws BB_PORT_IN_USE naming the program when the DHCP or TFTP port is taken (root sees
 * every program's sockets: `sudo serve` checks this in its root part before the server starts).
 */
export async function checkPorts(options: Pick<PreflightOptions, 'dhcpPort' | 'tftpPort'>, findOwners: FindOwners = (port) => findUdpPortOwners(port, { ignorePids: [process.pid] })): Promise<void> {
  for (const [port, what] of [
    [options.dhcpPort, 'DHCP'],
    [options.tftpPort, 'TFTP'],
  ] as const) {
    const owners = await findOwners(port);
    if (owners.length > 0) {
      throw ERRORS.portInUse.create({ port, what, owners: owners.map(describePortOwner).join('; ') });
    }
  }
}

/** The foreign answers on one interface; undefined when the probe failed and `force` skips it. */
async function probeOne(name: string, options: PreflightOptions, findOwners: FindOwners): Promise<RogueServer[] | undefined> {
  const probe = options.probe ?? (async (n: string) => (await probeInterface(n, options.probeTimeoutMs, options.clock, options.abort, options.bindDhcp)).answers);
  options.onProbe?.(name);
  let answers: readonly ProbeAnswer[];
  try {
    answers = await probe(name);
  } catch (caught) {
    const err = toBenchbootError(caught);
    // The probe needs UDP 68 (a DHCP client on the laptop may hold it without SO_REUSEADDR).
    const holders = isBenchbootError(err, 'BB_PORT_IN_USE') ? (await findOwners(DHCP_PORT.CLIENT)).map(describePortOwner) : [];
    const why = `cannot probe ${name} for another DHCP server: ${errorMessage(err)}${holders.length ? ` (held by ${holders.join('; ')})` : ''}`;
    if (!options.force) throw ERRORS.probeFailed.create({ why }, { cause: err, ...(isBenchbootError(err) ? { code: err.code } : {}) });
    options.logger.warn('starting without the rogue DHCP check because of --force', { code: 'BB_ROGUE_DHCP', interface: name, err: why });
    return undefined;
  }
  return answers.filter((a) => !isOwnAnswer(a, options.ownAddresses)).map((answer) => ({ interfaceName: name, answer }));
}

/**
 * Refuses (BB_PORT_IN_USE) when another program holds the DHCP or TFTP port,
 * naming it; then probes each interface and refuses (BB_ROGUE_DHCP) when another
 * DHCP server answers, unless `force` (then it warns and returns what it found).
 */
export async function preflight(options: PreflightOptions): Promise<RogueServer[]> {
  const findOwners = options.findOwners ?? ((port: number) => findUdpPortOwners(port, { ignorePids: [process.pid] }));
  await checkPorts(options, findOwners);
  const found: RogueServer[] = [];
  for (const name of options.probeInterfaces) {
    if (options.abort?.aborted) return [];
    found.push(...((await probeOne(name, options, findOwners)) ?? []));
  }
  if (found.length === 0 || options.abort?.aborted) return [];
  const list = found.map((r) => `on ${r.interfaceName}: ${describeProbeAnswer(r.answer)}`).join('; ');
  if (!options.force) {
    throw ERRORS.rogueDhcp.create({ servers: list });
  }
  options.logger.warn('another DHCP server answers, starting anyway because of --force', { code: 'BB_ROGUE_DHCP', servers: list });
  return found;
}
