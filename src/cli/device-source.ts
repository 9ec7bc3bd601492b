/**
 * Where `benchboot devices` and `report` get their devices: the running server
 * (control ops `devices`, `device`, `device-reset`), or, for reading, the device
 * directory of a stopped server. Answers from the socket are checked before use.
 */
import { stat } from 'node:fs/promises';
import { devicesDir, expectationsOfRecord, type DeviceListEntry } from '../appliance/index.js';
import { controlRequest, controlSocketPath, isNoServer } from '../control/client.js';
import { isRecord, type ControlRequest } from '../control/protocol.js';
import { DEVICE_STATUSES, parseRecordLine, readDeviceBook, summarizeDevice, type DeviceRecord, type DeviceStatusName } from '../devices/index.js';
import { ERRORS } from '../errors.js';
import { createSilentLogger } from '../log.js';

/** Where the devices came from. */
export type DeviceSourceKind = 'running server' | 'device files';

/** One device with its timeline, as `devices show` prints it. */
export interface DeviceShown {
  readonly row: DeviceListEntry;
  readonly record: DeviceRecord;
}

const STATUS_NAMES: ReadonlySet<string> = new Set(DEVICE_STATUSES);

function isStatusName(v: unknown): v is DeviceStatusName {
  return typeof v === 'string' && STATUS_NAMES.has(v);
}

/** A device row from the wire, checked; undefined when it is not one. */
export function parseDeviceRow(v: unknown): DeviceListEntry | undefined {
  if (!isRecord(v) || typeof v.mac !== 'string' || !isStatusName(v.status) || typeof v.diagnosis !== 'string') return undefined;
  if (typeof v.firstSeenMs !== 'number' || typeof v.lastSeenMs !== 'number' || !Array.isArray(v.files)) return undefined;
  const files = v.files.filter((f): f is { name: string; result: DeviceListEntry['files'][number]['result'] } => isRecord(f) && typeof f.name === 'string' && typeof f.result === 'string');
  const text = (k: string): Record<string, string> => (typeof v[k] === 'string' ? { [k]: v[k] } : {});
  return {
    mac: v.mac,
    status: v.status,
    diagnosis: v.diagnosis,
    firstSeenMs: v.firstSeenMs,
    lastSeenMs: v.lastSeenMs,
    files,
    ...text('clientId'),
    ...text('hostname'),
    ...text('vendorClass'),
    ...text('model'),
    ...text('ip'),
    ...text('profile'),
    ...text('inventoryKey'),
    ...text('lastFile'),
  };
}

/** Sends `request` to the server of `stateDir`; undefined when no server runs there. */
async function ask(stateDir: string, request: ControlRequest): Promise<unknown> {
  try {
    return await controlRequest(controlSocketPath(stateDir), request);
  } catch (err) {
    if (isNoServer(err)) return undefined;
    throw err;
  }
}

/** Asks the server; BB_CONTROL with a clear sentence when none runs. */
export async function askServer(stateDir: string, request: ControlRequest): Promise<unknown> {
  const answer = await ask(stateDir, request);
  if (answer === undefined) throw ERRORS.noServerFor.create({ dir: stateDir, path: controlSocketPath(stateDir) });
  return answer;
}

/** The device rows of the running server (undefined when none runs). */
export async function serverDevices(stateDir: string): Promise<DeviceListEntry[] | undefined> {
  const answer = await ask(stateDir, { op: 'devices' });
  if (answer === undefined) return undefined;
  if (!Array.isArray(answer)) throw ERRORS.unreadableDevices.create({ op: 'devices' });
  return answer.map((v) => parseDeviceRow(v) ?? unreadable('devices'));
}

function unreadable(op: string): never {
  throw ERRORS.unreadableDevices.create({ op });
}

/** The devices of a state directory: from the running server, else read from its device files. */
export async function readDevices(stateDir: string, nowMs: number): Promise<{ from: DeviceSourceKind; rows: DeviceListEntry[] }> {
  const rows = await serverDevices(stateDir);
  if (rows) return { from: 'running server', rows };
  const dir = devicesDir(stateDir);
  if (!(await isDirectory(dir))) return { from: 'device files', rows: [] };
  const book = await readDeviceBook(dir, createSilentLogger(), nowMs, { expectationsFor: expectationsOfRecord });
  const offline = book.view(nowMs).map((v) => ({ ...summarizeDevice(v) }));
  return { from: 'device files', rows: offline.sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0)) };
}

/** One device of the running server with its timeline. */
export async function serverDevice(stateDir: string, mac: string): Promise<DeviceShown> {
  const answer = await askServer(stateDir, { op: 'device', mac });
  if (!isRecord(answer)) return unreadable('device');
  const row = parseDeviceRow(answer.row);
  const record = parseRecordLine(JSON.stringify(answer.record));
  if (!row || !record) return unreadable('device');
  return { row, record };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
