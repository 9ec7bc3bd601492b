/**
 * Device logs in the timeline (issue 13 part 6): `serve` receives syslog on UDP 514
 * of the served addresses and files each message under the device holding the
 * sender's address in the lease table (phones and switches log there why they
 * reject a file). The default port taken by another program (a laptop's rsyslog
 * with UDP input) is a warning naming it, and serve goes on without syslog; a port
 * asked for with `--syslog-port` is fatal (BB_PORT_IN_USE) like DHCP's and TFTP's.
 */
import { errnoCode, errorMessage } from '../errno.js';
import { ERRORS } from '../errors.js';
import type { Logger } from '../log.js';
import { describePortOwner, findUdpPortOwners } from '../net/port-owner.js';
import { bindUdp, type UdpEndpoint } from '../net/udp.js';
import { SyslogReceiver, type SyslogCounters } from '../syslog/receiver.js';
import type { SyslogMessage } from '../syslog/message.js';

/** The syslog port devices send to (RFC 5426 §3.3). */
export const SYSLOG_PORT = 514;

/** `serve`'s syslog settings; absent when `--no-syslog`. */
export interface ApplianceSyslogConfig {
  readonly port: number;
  /** The port was asked for: when it is taken, start fails instead of going on without syslog. */
  readonly explicit: boolean;
  /** Socket seam (tests). */
  readonly bind?: (address: string, port: number) => Promise<UdpEndpoint>;
}

/** Syslog as `status` reports it. */
export type SyslogStatus = { readonly listen: readonly string[]; readonly counters: SyslogCounters } | { readonly off: string };

/** Where a message goes: the device book files it under the device of `address`, false when none. */
export type SyslogSink = (address: string, message: SyslogMessage) => boolean;

/** What {@link startSyslog} needs. */
export interface SyslogStart {
  readonly config: ApplianceSyslogConfig | undefined;
  readonly listen: readonly string[];
  readonly sink: SyslogSink;
  readonly logger: Logger;
  /** Port lookup seam (default: /proc). */
  readonly owners?: (port: number) => Promise<string[]>;
}

/** A started receiver, or why there is none. */
export type SyslogSide = { readonly receiver: SyslogReceiver } | { readonly off: string };

const systemOwners = async (port: number): Promise<string[]> => (await findUdpPortOwners(port, { ignorePids: [process.pid] })).map(describePortOwner);

/** Starts the receiver on the served addresses (see the module comment). */
export async function startSyslog(s: SyslogStart): Promise<SyslogSide> {
  const { config, logger } = s;
  if (config === undefined) return { off: 'off (--no-syslog)' };
  const log = logger.child({ component: 'syslog' });
  const receiver = new SyslogReceiver({
    addresses: s.listen,
    port: config.port,
    bind: config.bind ?? ((address, port) => bindUdp({ address, port })),
    onMessage: (message, from) => s.sink(from.address, message),
    onError: (err) => log.error('syslog receiver failed', { code: 'BB_INTERNAL', err: errorMessage(err) }),
  });
  try {
    await receiver.start();
    return { receiver };
  } catch (err) {
    return await refusedBind(s, config, err, log);
  }
}

/** A port that could not be bound: fatal when asked for, else a warning and no syslog. */
async function refusedBind(s: SyslogStart, config: ApplianceSyslogConfig, err: unknown, log: Logger): Promise<SyslogSide> {
  if (errnoCode(err) === 'EADDRINUSE') {
    const owners = (await (s.owners ?? systemOwners)(config.port)).join('; ') || 'another program';
    if (config.explicit) throw ERRORS.portInUse.create({ port: config.port, what: 'syslog', owners }, { cause: err });
    log.warn('device logs are not received: the syslog port is taken; serving goes on without them', { code: 'BB_PORT_IN_USE', port: config.port, owners });
    return { off: `off: UDP ${config.port} is taken by ${owners}` };
  }
  const failure = ERRORS.syslogBind.create({ port: config.port, addresses: s.listen.join(', '), why: errorMessage(err) }, { cause: err });
  if (config.explicit) throw failure;
  log.warn('device logs are not received; serving goes on without them', { code: 'BB_SOCKET', err: failure.message });
  return { off: `off: ${errorMessage(err)}` };
}

/** The status of a syslog side. */
export function syslogStatus(side: SyslogSide | undefined): SyslogStatus | undefined {
  if (side === undefined) return undefined;
  if ('off' in side) return { off: side.off };
  return { listen: side.receiver.addresses().map((a) => `${a.address}:${a.port}`), counters: side.receiver.counters() };
}
