/**
 * The appliance's control-socket wiring: the socket in the state directory and the
 * answer to each request (`status`, `leases`, `reload`, `release`, `release-since`, `devices`,
 * `device`, `device-reset`), which is what `benchboot status`, `leases`, `reload`,
 * `devices` and `report` ask a running server.
 */
import { clockTimeOfWall, wallTimeOf, type Clock } from '../clock.js';
import type { Lease } from '../dhcp/lease.js';
import { controlSocketPath } from '../control/client.js';
import type { ControlRequest } from '../control/protocol.js';
import { createControlServer, type ControlServer } from '../control/server.js';
import { canonicalMac } from '../devices/index.js';
import { ERRORS } from '../errors.js';
import type { Logger } from '../log.js';
import { leaseOnWall } from '../store/format.js';
import type { ApplianceDevices } from './devices.js';
import type { Ipv4 } from '../net/ipv4.js';

/** What the control socket can ask of the appliance. */
export interface ControlTarget {
  status(): unknown;
  leases(): readonly Lease[];
  reload(): Promise<unknown>;
  release(ip: Ipv4): Promise<Lease>;
  /** Releases every bound lease that began at or after `since`; returns them. */
  releaseSince(since: number): Promise<readonly Lease[]>;
  /** Every device with its status and diagnosis. */
  devices(): unknown;
  /** One device with its timeline; throws BB_DEVICE_NOT_FOUND when unknown. */
  device(mac: string): unknown;
  /** Clears one device's record; throws BB_DEVICE_NOT_FOUND when unknown. */
  resetDevice(mac: string): unknown;
}

/** The answer to one control request. */
export async function answerControl(target: ControlTarget, request: ControlRequest): Promise<unknown> {
  switch (request.op) {
    case 'status':
      return target.status();
    case 'leases':
      return target.leases();
    case 'reload':
      return target.reload();
    case 'release':
      return target.release(request.ip);
    case 'release-since':
      return target.releaseSince(request.since);
    case 'devices':
      return target.devices();
    case 'device':
      return target.device(request.mac);
    case 'device-reset':
      return target.resetDevice(request.mac);
  }
}

/**
 * The leases as `benchboot leases` shows them: their times on the wall clock. The server
 * counts lease time on a steady clock (steady-clock.ts); after a step of the wall clock
 * the two differ, and a person compares the times with the wall clock.
 */
export function leasesOnWall(leases: readonly Lease[], clock: Clock): readonly Lease[] {
  return clock.toWall ? leases.map((l) => leaseOnWall(l, (t) => wallTimeOf(clock, t))) : leases;
}

/**
 * The release ops as a person asks and reads them: `release-since` takes a wall-clock
 * time (converted to the server clock to compare with lease starts), and both answer
 * the released leases with their times on the wall clock, as `leases` does.
 */
export function releaseOnWall(target: Pick<ControlTarget, 'release' | 'releaseSince'>, clock: Clock): Pick<ControlTarget, 'release' | 'releaseSince'> {
  return {
    release: async (ip) => {
      const lease = await target.release(ip);
      return clock.toWall ? leaseOnWall(lease, (t) => wallTimeOf(clock, t)) : lease;
    },
    releaseSince: async (since) => leasesOnWall(await target.releaseSince(clockTimeOfWall(clock, since)), clock),
  };
}

/** The device ops of the control socket over the running device book (BB_CONTROL when not running). */
export function deviceControl(devices: () => ApplianceDevices | undefined): Pick<ControlTarget, 'devices' | 'device' | 'resetDevice'> {
  const book = (): ApplianceDevices => {
    const d = devices();
    if (!d) throw ERRORS.notRunning.create();
    return d;
  };
  return {
    devices: () => book().list(),
    device: (mac) => book().detail(requireMac(mac)) ?? deviceNotFound(mac),
    resetDevice: (mac) => {
      if (!book().reset(requireMac(mac))) deviceNotFound(mac);
      return { reset: canonicalMac(mac) };
    },
  };
}

function requireMac(text: string): string {
  const mac = canonicalMac(text);
  if (mac === undefined) throw ERRORS.notMac.create({ text });
  return mac;
}

function deviceNotFound(mac: string): never {
  throw ERRORS.deviceRecordNotFound.create({ mac });
}

/** Opens the control socket of the state directory, answering through `handler`. */
export function openControlSocket(stateDir: string, logger: Logger, handler: (request: ControlRequest) => Promise<unknown>): Promise<ControlServer> {
  return createControlServer({ path: controlSocketPath(stateDir), logger, handler });
}
