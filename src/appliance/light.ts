/**
 * The appliance package's light face: the defaults, settings and start-up checks the
 * command line needs before, or without, the appliance itself. index.ts is the full
 * face and loads everything the appliance runs on (fastify, LiquidJS, the DHCP and
 * TFTP servers, the dashboard); this one loads none of that, so that `serve`'s option
 * table and the root parent of a `sudo serve`, which only binds sockets, stay small.
 * Everything here is also exported by index.ts.
 */
export { requireInterface } from './interface-check.js';
export type { NewClientRateSetting } from './dhcp.js';
export type { ServeTarget } from './interfaces.js';
export { checkPorts, DEFAULT_PROBE_TIMEOUT_MS } from './preflight.js';
export { checkTftpFiles } from './tftp-files.js';
export { DEFAULT_HTTP_PORTS } from './http-ports.js';
export type { ApplianceHttpConfig } from './http.js';
export { checkPortBounds, MAX_SERVE_TRANSFERS, TFTP_FACTS, TFTP_LIMITS, tftpConfig, type ApplianceTftpConfig, type WindowBytesRequest } from './tftp-settings.js';
export { SYSLOG_PORT, type ApplianceSyslogConfig } from './syslog.js';
export type { ApplianceWebConfig } from './web.js';
