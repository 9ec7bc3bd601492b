/**
 * The appliance package's public face: what the CLI (the only package above it)
 * and the tests use. Everything outside src/appliance/ imports from here, except
 * the code the root parent of `sudo serve` loads, which imports light.ts (the same
 * checks and defaults without the servers, fastify and LiquidJS).
 */
export { createAppliance, type Appliance, type ApplianceOptions, type ReloadOutcome } from './appliance.js';
export { type ApplianceEvent } from './events.js';
export {
  CAPABILITY,
  checkInterface,
  checkPort,
  checkPrivileges,
  kernelBefore,
  parseCapEff,
  runDoctorChecks,
  systemDoctorEnv,
  type CheckResult,
  type CheckStatus,
  type DoctorEnv,
  type DoctorOptions,
} from './doctor.js';
export { leaseEventOf, leaseStateOf } from './dhcp.js';
export { noAddressMessage, prepareInterfaces, removeTemporary, serveLinkOptions, type PreparedInterfaces, type ServeTarget } from './interfaces.js';
export type { NewClientRate, NewClientRateSetting } from './dhcp.js';
export { checkPorts, DEFAULT_PROBE_TIMEOUT_MS, preflight, requireDirectory, type PreflightOptions, type RogueServer } from './preflight.js';
export { derivedScopes, scopeFiles, type DerivedInterface, type ScopeSource } from './scope-source.js';
export { buildStatus, countScopeLeases, type ApplianceStatus, type ScopeLeaseCounts, type HttpSnapshot, type StatusSnapshot, type TftpSnapshot } from './status.js';
export { requireInterface } from './interface-check.js';
export { TftpDirectoryError, type TftpDirectoryKind } from './tftp.js';
export { checkTftpFiles } from './tftp-files.js';
export { DEFAULT_HTTP_PORTS } from './http-ports.js';
export { type ApplianceHttpConfig, type ApplianceHttpPort, type SkippedHttpPort } from './http.js';
export {
  checkPortBounds,
  checkTftpLimit,
  MAX_SERVE_TRANSFERS,
  TFTP_FACTS,
  TFTP_LIMITS,
  tftpConfig,
  tftpSettingsOf,
  type ApplianceTftpConfig,
  type ApplianceTftpServerLimits,
  type ApplianceTftpSettings,
  type PortRangeRequest,
  type TftpLimit,
  type TftpLimitName,
  type TftpRequest,
  type WindowBytesRequest,
} from './tftp-settings.js';
export { ApplianceDevices, DEVICE_SWEEP_MS, DEVICES_DIR, devicesDir, type DeviceDetail, type DeviceListEntry } from './devices.js';
export { expectationsOfRecord } from './device-expectations.js';
export { SYSLOG_PORT, type ApplianceSyslogConfig, type SyslogStatus } from './syslog.js';
export { WebPart, type ApplianceWebConfig } from './web.js';
