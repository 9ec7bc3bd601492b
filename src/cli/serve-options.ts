/**
 * The command line of `benchboot serve`: the typed `as const` table of its options
 * (what yargs parses and `--help` shows) and the parsed arguments' type. The TFTP
 * limits' ranges in the help come from the appliance's one table of them.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_HTTP_PORTS, DEFAULT_PROBE_TIMEOUT_MS, TFTP_FACTS, TFTP_LIMITS } from '../appliance/light.js';
import type { GlobalArgs } from './output.js';

/** The options of `benchboot serve`, each one used below. */
export const SERVE_OPTIONS = {
  interface: {
    type: 'string',
    array: true,
    requiresArg: true,
    describe: 'Interface to serve (repeatable). Without --scopes its IPv4 address makes the scope',
  },
  scopes: {
    type: 'string',
    normalize: true,
    requiresArg: true,
    describe: 'Serve the scope files of this directory (with --interface: only the scopes for those interfaces)',
  },
  address: {
    type: 'string',
    requiresArg: true,
    describe: 'Give the (one) --interface this address for the run, e.g. 10.10.0.1/24; removed again on exit',
  },
  'tftp-root': { type: 'string', default: './tftp', normalize: true, requiresArg: true, describe: 'Directory the TFTP server sends files from' },
  'upload-dir': { type: 'string', normalize: true, requiresArg: true, describe: 'Accept TFTP uploads (WRQ, e.g. router config backups) into this directory' },
  'tftp-port': { type: 'number', default: 69, requiresArg: true, describe: 'TFTP server port' },
  'http-port': {
    type: 'number',
    array: true,
    requiresArg: true,
    describe: `Serve the same files over HTTP on this TCP port (repeatable; default ${DEFAULT_HTTP_PORTS.join(' and ')}, each skipped with a warning when another program holds it; a port given here must be free)`,
  },
  http: { type: 'boolean', default: true, describe: 'Serve the files over HTTP too (--no-http: TFTP only)' },
  'dhcp-port': { type: 'number', default: 67, requiresArg: true, describe: 'DHCP server port (devices use 67; other values are for tests)' },
  inventory: {
    type: 'string',
    normalize: true,
    requiresArg: true,
    describe: 'Device inventory, CSV or YAML (reservations, host names, profiles, template variables); default ./inventory.csv when it exists; re-read at reload',
  },
  syslog: { type: 'boolean', default: true, describe: 'Receive device logs (UDP syslog on the served addresses) into the device timelines (--no-syslog: off)' },
  'syslog-port': { type: 'number', requiresArg: true, describe: 'Syslog port (default 514; when the default is taken serve goes on without syslog, a port given here must be free)' },
  user: {
    type: 'string',
    requiresArg: true,
    describe: 'Started as root: the user DHCP, TFTP and HTTP run as once the sockets are bound (a name or uid, never root). Default: the sudo user (SUDO_UID), else nobody',
  },
  leases: { type: 'string', default: './leases', normalize: true, requiresArg: true, describe: 'State directory: lease journal, snapshot and control socket' },
  'max-transfers': { type: 'number', default: 200, requiresArg: true, describe: 'TFTP transfers at once; more are answered "busy" and devices retry (Cisco\'s TFTP service uses 30)' },
  force: { type: 'boolean', default: false, describe: 'Start even when another DHCP server answers on a served interface' },
  live: { type: 'boolean', default: true, describe: 'Live view on a terminal (--no-live: log lines instead)' },
  web: {
    type: 'string',
    requiresArg: true,
    describe: 'ADDR:PORT of the web dashboard (default 127.0.0.1:8067; beyond loopback it needs the token printed in the log). --no-web: no dashboard',
  },
  'new-client-rate': {
    type: 'number',
    requiresArg: true,
    describe:
      'Clients a scope has no lease record of that get an address per second (a burst of spoofed MACs cannot take the pool); devices over it retry. Default: a quarter of the scope\'s pool a second after a burst of half of it (at least 20 and 64). 0 = no limit',
  },
  'new-client-burst': { type: 'number', requiresArg: true, describe: 'New clients a scope admits at once before --new-client-rate applies (needs --new-client-rate; default: that rate, at least 64)' },
  'probe-timeout': { type: 'number', default: DEFAULT_PROBE_TIMEOUT_MS / 1000, requiresArg: true, describe: 'Seconds to listen for another DHCP server before starting' },
  grace: { type: 'number', default: 5, requiresArg: true, describe: 'Seconds transfers in flight may take to finish on SIGINT/SIGTERM' },
  alternate: {
    type: 'string',
    array: true,
    normalize: true,
    requiresArg: true,
    describe: `Directory searched after --tftp-root when a file is not there (repeatable, at most ${TFTP_FACTS.maxAlternates}, in order)`,
  },
  'default-file': {
    type: 'string',
    array: true,
    requiresArg: true,
    describe: "PATTERN=FILE: a request matching the glob that is found nowhere gets FILE (repeatable, first match wins), e.g. 'SEP*.cnf.xml=XMLDefault.cnf.xml'",
  },
  'map-file': { type: 'string', normalize: true, requiresArg: true, describe: 'tftpd-hpa style remap rules applied to every request name (like in.tftpd --map-file)' },
  'case-insensitive': { type: 'boolean', default: false, describe: 'Find files whatever the case of the requested name' },
  'overwrite-uploads': { type: 'boolean', default: false, describe: 'An upload replaces the file of the same name (default: every version is kept, dated)' },
  'max-upload-size': { type: 'string', requiresArg: true, describe: 'Largest upload: bytes, or with K, M, G (x1024), e.g. 64M (default 64M)' },
  'upload-mode': { type: 'string', requiresArg: true, describe: 'Octal permission bits of saved uploads, e.g. 0640 (default 0600: backups hold passwords)' },
  'upload-quota': { type: 'string', requiresArg: true, describe: 'Total size the upload directory may hold: bytes, or with K, M, G (default 1G); an upload that would pass it gets error 3' },
  'max-versions': {
    type: 'string',
    requiresArg: true,
    describe: 'Versions kept per upload name, the first one included: 2 or more, or all (default 10); the oldest later versions are removed, the first is always kept',
  },
  'min-free': {
    type: 'string',
    requiresArg: true,
    describe: "Space to leave free on the upload directory's file system: bytes, or with K, M, G; 0 = none (default 5% of it, at most 256M)",
  },
  'max-blksize': { type: 'number', requiresArg: true, describe: `Largest TFTP block size granted (${TFTP_LIMITS.maxBlksize.min}..${TFTP_LIMITS.maxBlksize.max}, default ${TFTP_FACTS.defaultMaxBlksize})` },
  mtu: { type: 'number', requiresArg: true, describe: `Path MTU of the bench network: block size is capped at MTU-${TFTP_FACTS.datagramOverheadBytes}` },
  'max-windowsize': { type: 'number', requiresArg: true, describe: `Largest TFTP windowsize granted (${TFTP_LIMITS.maxWindowsize.min}..${TFTP_LIMITS.maxWindowsize.max}, default 64)` },
  'max-window-bytes': {
    type: 'string',
    default: 'auto',
    requiresArg: true,
    describe: 'Largest TFTP window in bytes (blksize x windowsize); windowsize is answered lower so a window fits a client\'s default receive buffer. auto = 64K but at least 2 blocks; 0 = no limit',
  },
  'port-range': { type: 'string', requiresArg: true, describe: 'LO-HI: UDP ports for TFTP transfer sockets, for firewalls (default: ports the system picks)' },
  'transfers-ceiling': {
    type: 'number',
    requiresArg: true,
    describe: `Most TFTP transfers at once the limit may adapt up to: while requests wait for a slot, --max-transfers is raised a quarter at a time as long as the bytes moved per second grow, and a raise that does not pay is taken back (default ${TFTP_FACTS.ceilingFactor} x --max-transfers, at most ${TFTP_FACTS.maxTransfersCeiling}; = --max-transfers: a fixed limit)`,
  },
  'max-per-client': {
    type: 'number',
    requiresArg: true,
    describe: `TFTP transfers at once from one address (default: a quarter of --max-transfers, at most ${TFTP_FACTS.defaultMaxPerClient}; raise it for many devices behind one relay or NAT)`,
  },
  'tftp-timeout': { type: 'number', requiresArg: true, describe: `TFTP retransmission timeout in milliseconds when the client asks none (${TFTP_LIMITS.timeoutMs.min}..${TFTP_LIMITS.timeoutMs.max}, default 1000)` },
  'max-tftp-timeout': {
    type: 'number',
    requiresArg: true,
    describe: `Largest timeout in seconds granted to a TFTP client that asks for one (RFC 2349; ${TFTP_LIMITS.maxTimeoutSeconds.min}..${TFTP_LIMITS.maxTimeoutSeconds.max}, default ${TFTP_FACTS.defaultMaxTimeoutSeconds}); a larger request is declined and the transfer uses --tftp-timeout`,
  },
  'min-transfer-rate': {
    type: 'string',
    requiresArg: true,
    describe: `Floor of each TFTP transfer's average rate after its first ${TFTP_FACTS.rateAllowanceSeconds} s: bytes per second, or with K, M (x1024), e.g. 4K (default 2K; 0 = off); a slower transfer is ended with error 0`,
  },
  'tftp-retries': { type: 'number', requiresArg: true, describe: `TFTP timeouts in a row before a transfer fails (${TFTP_LIMITS.retries.min}..${TFTP_LIMITS.retries.max}, default 5)` },
  'queue-wait': {
    type: 'number',
    requiresArg: true,
    describe: `Milliseconds a TFTP or HTTP request over --max-transfers/--max-per-client waits for a slot before it is answered "busy" (HTTP 503) (${TFTP_LIMITS.queueWaitMs.min}..${TFTP_LIMITS.queueWaitMs.max}, default ${TFTP_FACTS.defaultQueueWaitMs}; 0 = busy at once). PXE firmware gives up at the first error`,
  },
  'tftp-workers': {
    type: 'number',
    default: 0,
    requiresArg: true,
    describe: `Threads that send TFTP downloads (${TFTP_LIMITS.workers.min}..${TFTP_LIMITS.workers.max}, default 0 = in the main thread with DHCP; this machine has ${availableParallelism()} cores). Not yet faster in the bench's storms (see README). Uploads stay in the main thread`,
  },
  'busy-poll': {
    type: 'number',
    default: TFTP_FACTS.defaultBusyPollMicros,
    requiresArg: true,
    describe: `Microseconds to keep polling for a TFTP client's answer instead of sleeping (${TFTP_LIMITS.busyPollMicros.min}..${TFTP_LIMITS.busyPollMicros.max}; only with up to ${TFTP_FACTS.busyPollMaxSessions} transfers running and clients that answer that fast). 0 = off: less CPU, slower lock-step`,
  },
} as const;

/** Parsed arguments of `benchboot serve`. */
export interface ServeArgs extends GlobalArgs {
  interface: string[] | undefined;
  scopes: string | undefined;
  address: string | undefined;
  user: string | undefined;
  'tftp-root': string;
  'upload-dir': string | undefined;
  'tftp-port': number;
  'http-port': number[] | undefined;
  http: boolean;
  'dhcp-port': number;
  inventory: string | undefined;
  syslog: boolean;
  'syslog-port': number | undefined;
  leases: string;
  'max-transfers': number;
  force: boolean;
  live: boolean;
  /** `--web ADDR:PORT`; false with --no-web; undefined for the default. */
  web?: string | false;
  'new-client-rate': number | undefined;
  'new-client-burst': number | undefined;
  'probe-timeout': number;
  grace: number;
  alternate: string[] | undefined;
  'default-file': string[] | undefined;
  'map-file': string | undefined;
  'case-insensitive': boolean;
  'overwrite-uploads': boolean;
  'max-upload-size': string | undefined;
  'upload-mode': string | undefined;
  'upload-quota': string | undefined;
  'max-versions': string | undefined;
  'min-free': string | undefined;
  'max-blksize': number | undefined;
  mtu: number | undefined;
  'max-windowsize': number | undefined;
  'max-window-bytes': string;
  'port-range': string | undefined;
  'max-per-client': number | undefined;
  'transfers-ceiling': number | undefined;
  'tftp-timeout': number | undefined;
  'max-tftp-timeout': number | undefined;
  'min-transfer-rate': string | undefined;
  'tftp-retries': number | undefined;
  'queue-wait': number | undefined;
  'busy-poll': number;
  'tftp-workers': number;
}

/** The serve arguments that shape the TFTP side. */
export type ServeTftpArgs = Pick<
  ServeArgs,
  | 'tftp-root'
  | 'upload-dir'
  | 'tftp-port'
  | 'dhcp-port'
  | 'max-transfers'
  | 'alternate'
  | 'default-file'
  | 'map-file'
  | 'case-insensitive'
  | 'overwrite-uploads'
  | 'max-upload-size'
  | 'upload-mode'
  | 'upload-quota'
  | 'max-versions'
  | 'min-free'
  | 'max-blksize'
  | 'mtu'
  | 'max-windowsize'
  | 'max-window-bytes'
  | 'port-range'
  | 'max-per-client'
  | 'transfers-ceiling'
  | 'tftp-timeout'
  | 'max-tftp-timeout'
  | 'min-transfer-rate'
  | 'tftp-retries'
  | 'queue-wait'
  | 'busy-poll'
  | 'tftp-workers'
>;
