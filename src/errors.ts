/**
 * benchboot's error type and the catalogue of stable error codes and messages.
 *
 * Every error that reaches a user carries a stable `code` (listed in the README,
 * kept in step by a unit test) and, when it wraps a lower-level failure, that
 * failure as `cause`. Its text comes from one {@link ErrorTemplate} of
 * {@link ERRORS} (as fastify's `createError`: a code and a message with
 * placeholders); a throw site only fills the placeholders in:
 *
 *     throw ERRORS.interfaceMissing.create({ name, known: 'eth0, eth1' });
 */

/** Every stable error code, with the one-line meaning the README repeats. */
export const ERROR_CODES = {
  BB_USAGE: 'the command line is not valid',
  BB_SCOPE_INVALID: 'a scope file does not pass validation',
  BB_SCOPE_OVERLAP: 'two scopes on one interface share addresses',
  BB_SCOPE_NOT_FOUND: 'no scope file has that name',
  BB_SCOPE_EXISTS: 'a scope with that name already exists',
  BB_SCOPE_IO: 'a scope file or directory cannot be read or written',
  BB_INTERFACE: 'a served interface is missing or has no usable IPv4 address',
  BB_SOCKET: 'a socket cannot be bound or configured',
  BB_PORT_IN_USE: 'port 67 or 69, or an HTTP port asked for with --http-port, is already taken',
  BB_ROGUE_DHCP: 'another DHCP server answers on a served interface',
  BB_LEASE_STORE: 'the lease journal or snapshot cannot be read or written',
  BB_TFTP_ROOT: 'the TFTP root or upload directory is missing or not usable',
  BB_TFTP_CONFIG: 'a TFTP storage option, default rule or remap rule is not valid',
  BB_CONTROL: 'the control socket of a running server cannot be reached',
  BB_LEASE_NOT_FOUND: 'no lease holds that address',
  BB_TFTP_CLIENT: 'a TFTP transfer made by the built-in client failed',
  BB_TFTP_OPTIONS: 'a TFTP server or client option (port range, limits, blksize, MTU, timeout) is not valid',
  BB_INVENTORY: 'an inventory file cannot be read or written, does not pass validation, or an edit would make it invalid',
  BB_DEVICE_NOT_FOUND: 'no inventory row or device record has that MAC, client-id, serial or host name',
  BB_TEMPLATE: 'a template does not parse, or does not render for a device (a missing variable)',
  BB_PROFILE_NOT_FOUND: 'no built-in vendor profile has that name',
  BB_WEB: 'the web dashboard cannot listen on its address (port in use, address not on this machine)',
  BB_PRIVILEGE: 'serve started as root cannot run as its unprivileged user (no such user, a directory it cannot take over), or the root part refused a request',
  BB_INTERNAL: 'an unexpected failure inside benchboot',
} as const;

/** A stable error code, e.g. `BB_SCOPE_OVERLAP`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error class benchboot throws on purpose. */
export class BenchbootError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchbootError';
    this.code = code;
  }
}

/** True when `err` is a BenchbootError (optionally with the given code). */
export function isBenchbootError(err: unknown, code?: ErrorCode): err is BenchbootError {
  return err instanceof BenchbootError && (code === undefined || err.code === code);
}

export { errnoCode, errorMessage, isErrno } from './errno.js';

/** The `{name}` placeholders of a template, as a union of names. */
type Placeholders<T extends string> = T extends `${string}{${infer K}}${infer Rest}` ? K | Placeholders<Rest> : never;

/** The values a template's placeholders take. */
export type TemplateParams<T extends string> = { readonly [K in Placeholders<T>]: string | number };

/** `cause` is the failure wrapped; `code` replaces the template's code when context is added to another error. */
export interface ErrorOptions {
  readonly cause?: unknown;
  readonly code?: ErrorCode;
}

type TemplateArgs<T extends string> = [Placeholders<T>] extends [never] ? [params?: TemplateParams<T>, options?: ErrorOptions] : [params: TemplateParams<T>, options?: ErrorOptions];

/** One catalogue entry: a code and a message template with `{name}` placeholders. */
export class ErrorTemplate<T extends string> {
  constructor(
    readonly code: ErrorCode,
    readonly template: T,
  ) {}

  /** The message with the placeholders filled in. */
  format(...[params]: TemplateArgs<T>): string {
    const values: Readonly<Record<string, string | number>> = params ?? {};
    return this.template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  }

  /** The error to throw. */
  create(...args: TemplateArgs<T>): BenchbootError {
    const options = args[1];
    const message = this.format(...args);
    return new BenchbootError(options?.code ?? this.code, message, options && 'cause' in options ? { cause: options.cause } : undefined);
  }
}

/** Defines one catalogue entry. */
function defineError<const T extends string>(code: ErrorCode, template: T): ErrorTemplate<T> {
  return new ErrorTemplate(code, template);
}

/** Every message a user can see from product code, by name; grouped by code. */
export const ERRORS = {
  // BB_USAGE: the command line
  usage: defineError('BB_USAGE', '{message}'),
  nothingToServe: defineError('BB_USAGE', 'say what to serve: --interface IF (scope from its address) or --scopes DIR (scope files)'),
  interfaceTwice: defineError('BB_USAGE', '--interface names the same interface twice'),
  addressNeedsOneInterface: defineError('BB_USAGE', '--address needs exactly one --interface (the one that gets the address)'),
  badPort: defineError('BB_USAGE', '--{option} {value}: give a port 1..65535'),
  syslogPortWithoutSyslog: defineError('BB_USAGE', '--syslog-port and --no-syslog contradict each other: drop one'),
  badMaxTransfers: defineError('BB_USAGE', '--max-transfers {value}: give 1..10000'),
  badProbeTimeout: defineError('BB_USAGE', '--probe-timeout {value}: give 0.5..30 seconds'),
  badGrace: defineError('BB_USAGE', '--grace {value}: give 0..300 seconds'),
  badProbeListen: defineError('BB_USAGE', '--timeout {value}: give 0.5 to 60 seconds'),
  badSize: defineError('BB_USAGE', '--{option} {text}: give a size in bytes above 0, or with K, M, G (e.g. 64M, 1G)'),
  badDefaultFile: defineError('BB_USAGE', "--default-file {text}: give PATTERN=FILE, e.g. 'SEP*.cnf.xml=XMLDefault.cnf.xml'"),
  badPortRangeForm: defineError('BB_USAGE', '--port-range {text}: give LO-HI, e.g. 50000-50199'),
  badUploadMode: defineError('BB_USAGE', '--upload-mode {text}: give octal permission bits from 0 to 0777, e.g. 0640'),
  needsUploadDir: defineError('BB_USAGE', '--{option} needs --upload-dir DIR (without it uploads are refused)'),
  badMaxVersions: defineError('BB_USAGE', '--max-versions {text}: give a whole number of at least 2 (the first version and the newest), or all'),
  versionsWithOverwrite: defineError('BB_USAGE', '--max-versions and --overwrite-uploads contradict each other: with --overwrite-uploads there is one version; leave out one of them'),
  noTftpHost: defineError('BB_USAGE', 'give the TFTP server address'),
  notIpv4: defineError('BB_USAGE', '"{text}" is not an IPv4 address'),
  flagGivenTwice: defineError('BB_USAGE', '--{flag} was given {count} times; give it once'),
  flagNeedsValue: defineError('BB_USAGE', '--{flag} needs a value'),
  badOptionFlag: defineError('BB_USAGE', '--option {spec}: expected CODE=VALUE or NAME=VALUE (e.g. ntp-servers=10.10.0.1)'),
  badReserveFlag: defineError('BB_USAGE', '--reserve {spec}: expected MAC=IP or MAC=IP,hostname (e.g. 00:1b:d4:aa:bb:cc=10.10.0.50,phone1)'),
  unsetNotMac: defineError('BB_USAGE', '--unset {field}: "{value}" is not a MAC address'),
  unsetRequired: defineError('BB_USAGE', '--unset {field}: {field} is required and cannot be removed'),
  unsetUnknown: defineError('BB_USAGE', '--unset {field}: unknown field{guess}; give a field such as boot-file or router, option:NAME, or reservation:MAC'),
  nothingToChange: defineError('BB_USAGE', 'nothing to change: give at least one field flag or --unset'),
  badSetFlag: defineError('BB_USAGE', '--set {spec}: expected COLUMN=VALUE (e.g. hostname=phone1; an empty VALUE empties the cell)'),
  notMac: defineError('BB_USAGE', '"{text}" is not a MAC address (e.g. 00:1b:d4:aa:bb:cc, 001BD4AABBCC, 001b.d4aa.bbcc)'),
  nothingToSet: defineError('BB_USAGE', 'nothing to set: give --set COLUMN=VALUE or --mac, --ip, --hostname, --profile'),
  badServerFlag: defineError('BB_USAGE', '--server {text}: give an IPv4 address, optionally with a prefix (e.g. 10.10.0.1/24)'),
  // Inventory, templates and profiles
  inventoryUnreadable: defineError('BB_INVENTORY', '{path}: cannot be read ({reason}); the user benchboot runs as ({user}) must be able to read the file and enter every directory above it (sudo serve runs as SUDO_UID, --user or nobody). Give --inventory FILE with a path that user can read, or make it readable'),
  deviceNotFound: defineError('BB_DEVICE_NOT_FOUND', '{file}: no device "{key}" (give its MAC, client-id, serial or host name)'),
  profileNotFound: defineError('BB_PROFILE_NOT_FOUND', 'no profile named "{name}" (built in: {known})'),
  templateRender: defineError('BB_TEMPLATE', '{problem} (device {device}); nothing would be sent (TFTP error 1)'),
  templatesInvalid: defineError('BB_TEMPLATE', 'templates that do not parse ({count}):\n{problems}'),
  noScopeForDevice: defineError('BB_SCOPE_NOT_FOUND', 'no scope in {dir} holds {ip}{why}'),
  // Scope files
  notScopeName: defineError('BB_SCOPE_INVALID', '"{name}" is not a scope name (a letter or digit, then letters, digits, . _ -; at most 64)'),
  noScopeFile: defineError('BB_SCOPE_NOT_FOUND', '{path}: no such scope file'),
  noScopeNamed: defineError('BB_SCOPE_NOT_FOUND', 'no scope named "{name}" in {dir}'),
  noScopeFileIn: defineError('BB_SCOPE_NOT_FOUND', 'no scope file in {dir}{why}; create one with "benchboot scope add" or serve an interface without --scopes'),
  scopeExists: defineError('BB_SCOPE_EXISTS', '{path} already exists'),
  scopeUnreadable: defineError('BB_SCOPE_IO', '{path}: cannot read: {reason}'),
  scopeUnwritable: defineError('BB_SCOPE_IO', '{path}: cannot write: {reason}'),
  scopeUnremovable: defineError('BB_SCOPE_IO', '{path}: cannot remove: {reason}'),
  scopeDirUnusable: defineError('BB_SCOPE_IO', 'scope directory {dir}: {reason}'),
  scopeDirUncreatable: defineError('BB_SCOPE_IO', 'scope directory {dir}: cannot create: {reason}'),
  nothingWritten: defineError('BB_SCOPE_IO', 'nothing written: {message}'),
  // Interfaces and ports
  interfaceMissing: defineError('BB_INTERFACE', 'interface {name} does not exist (this machine has: {known})'),
  interfaceNoAddress: defineError(
    'BB_INTERFACE',
    'interface {name} has no IPv4 address, so there is no subnet to serve. Give it one:\n  {hint}\nor let benchboot add one for this run and remove it on exit:\n  sudo benchboot serve --interface {name} --address 10.10.0.1/24',
  ),
  derivedPrefix: defineError('BB_INTERFACE', '{interface}: {address}/{prefix} cannot be served: the prefix must be /{min} to /{max}'),
  derivedNetworkAddress: defineError('BB_INTERFACE', '{interface}: {address} is the network or broadcast address of {subnet}'),
  derivedNoPool: defineError('BB_INTERFACE', '{interface}: {subnet} has no address left for clients'),
  portInUse: defineError(
    'BB_PORT_IN_USE',
    'UDP port {port} ({what}) is already taken by {owners}. Stop it first (e.g. "sudo systemctl stop dnsmasq" or kill that pid), then start benchboot again.',
  ),
  syslogBind: defineError('BB_SOCKET', 'cannot receive syslog on UDP {port} of {addresses}: {why}. Choose another --syslog-port or start with --no-syslog.'),
  httpPortInUse: defineError(
    'BB_PORT_IN_USE',
    'TCP port {port} (HTTP, asked for with --http-port) is already taken by {owners}. Stop it first, or choose another --http-port, then start benchboot again.',
  ),
  httpListenFailed: defineError('BB_SOCKET', 'cannot serve HTTP on {address}:{port}: {reason}'),
  probeFailed: defineError('BB_SOCKET', '{why}. Start with --force to skip this check.'),
  rogueDhcp: defineError(
    'BB_ROGUE_DHCP',
    'another DHCP server answers {servers}. Two DHCP servers on one wire hand out conflicting addresses: switch the other one off or unplug it, or start with --force if you really mean to run both.',
  ),
  // TFTP settings
  tftpDirectory: defineError('BB_TFTP_ROOT', '{message}; {hint}'),
  alternateUnusable: defineError('BB_TFTP_ROOT', '--alternate {dir} (location {n}) is not a readable directory ({reason}); create it or drop the option'),
  tooManyAlternates: defineError('BB_TFTP_CONFIG', '--alternate given {count} times: at most {max} alternate locations are searched'),
  badDefaultRule: defineError('BB_TFTP_CONFIG', '--default-file: {problem}'),
  tftpLimit: defineError('BB_TFTP_OPTIONS', '--{option} {value}: give a whole number {min}..{max}{unit}'),
  portRangeBounds: defineError('BB_TFTP_OPTIONS', '--port-range {text}: give two ports 1..65535, the first not above the second'),
  portRangeClash: defineError('BB_TFTP_OPTIONS', '--port-range {text} contains the --{option} {port}; choose ports above it'),
  windowBytesTooSmall: defineError('BB_TFTP_OPTIONS', '--max-window-bytes {text}: give 0 (no limit) or at least {min} bytes'),
  // Leases and the control socket
  leaseNotBound: defineError('BB_LEASE_NOT_FOUND', 'no bound lease for {ip}'),
  leaseScopeGone: defineError('BB_LEASE_NOT_FOUND', 'the lease for {ip} belongs to scope {scope}, which is no longer served'),
  notRunning: defineError('BB_CONTROL', 'the appliance is not running'),
  // Devices
  deviceRecordNotFound: defineError('BB_DEVICE_NOT_FOUND', 'no device record for {mac}: the running server has seen no packet from that MAC'),
  unreadableDevices: defineError('BB_CONTROL', 'the server answered the {op} request with something this benchboot cannot read (a different version?)'),
  noServerFor: defineError(
    'BB_CONTROL',
    'no benchboot server is running with state directory {dir} (nothing answers at {path}). Start one with "benchboot serve", or pass the --leases DIR it was started with.',
  ),
  unreadableStatus: defineError('BB_CONTROL', 'the server answered the status request with something this benchboot cannot read (a different version?)'),
  leasesNotAList: defineError('BB_CONTROL', 'the server answered the leases request with something that is not a list'),
  controlListen: defineError('BB_CONTROL', 'cannot listen on control socket {path}: {reason}'),
  serverAlreadyRunning: defineError('BB_CONTROL', 'another benchboot server is already running with this state directory (its control socket {path} answers)'),
  staleSocket: defineError('BB_CONTROL', 'cannot remove stale control socket {path}: {reason}'),
  controlTimeout: defineError('BB_CONTROL', 'the server at {path} did not answer within {timeoutMs} ms'),
  noServerAt: defineError('BB_CONTROL', 'no benchboot server answers at {path} ({reason})'),
  badControlAnswer: defineError('BB_CONTROL', 'bad answer from {path}'),
  controlClosed: defineError('BB_CONTROL', 'the server at {path} closed the connection without answering'),
  controlLineTooLong: defineError('BB_USAGE', 'request line over {max} bytes: refused, and the connection closed'),
  controlBusy: defineError('BB_CONTROL', 'the server already serves {max} control connections at once; try again when one closes'),
  // Web dashboard
  privilege: defineError('BB_PRIVILEGE', '{message}'),
  webListen: defineError('BB_WEB', 'the dashboard cannot listen on {address}: {reason}; give another --web ADDR:PORT, or --no-web'),
  badWebAddress: defineError('BB_USAGE', '--web {text}: give ADDR:PORT, e.g. 127.0.0.1:8067'),
  // Internal
  stopFailed: defineError('BB_INTERNAL', 'stopping failed: {failures}'),
} as const;
