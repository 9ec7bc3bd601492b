/**
 * The appliance's control-socket wiring: the socket in the state directory and the
 * answer to each request (`status`, `leases`, `reload`, `release`), which is what
 * `benchboot status`, `leases` and `reload` ask a running server.
 */
import type { Lease } from '../dhcp/lease.js';
import { controlSocketPath } from '../control/client.js';
import type { ControlRequest } from '../control/protocol.js';
import { createControlServer, type ControlServer } from '../control/server.js';
import type { Logger } from '../log.js';
import type { Ipv4 } from '../net/ipv4.js';

/** What the control socket can ask of the appliance. */
export interface ControlTarget {
  status(): unknown;
  leases(): readonly Lease[];
  reload(): Promise<unknown>;
  release(ip: Ipv4): Promise<Lease>;
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
  }
}

/** Opens the control socket of the state directory, answering through `handler`. */
export function openControlSocket(stateDir: string, logger: Logger, handler: (request: ControlRequest) => Promise<unknown>): Promise<ControlServer> {
  return createControlServer({ path: controlSocketPath(stateDir), logger, handler });
}
