/**
 * The messages between serve's unprivileged part (the appliance, running as the
 * invoking user) and its root parent, over the Node IPC channel of `child_process.fork`.
 * The child asks for one named job at a time; the parent answers with the result and,
 * for a socket, the socket itself as the message's handle. Anything that is not exactly
 * one of these shapes is refused.
 */
import type { NetErrorKind } from '../net/net-error.js';

/** A job the child may ask of the parent (src/net/privileged.ts names them). */
export type JobRequest =
  /** A DHCP socket on 0.0.0.0:port pinned to the interface; the parent reads its ifindex itself. */
  | { readonly id: number; readonly job: 'bind-dhcp'; readonly interfaceName: string; readonly port: number }
  /** A listening UDP socket (TFTP, syslog). */
  | { readonly id: number; readonly job: 'bind-udp'; readonly address: string; readonly port: number; readonly recvBufferBytes?: number; readonly sendBufferBytes?: number }
  /** A listening TCP socket (HTTP, the dashboard). */
  | { readonly id: number; readonly job: 'listen-tcp'; readonly address: string; readonly port: number }
  /** The temporary `--address` on its interface. */
  | { readonly id: number; readonly job: 'add-address'; readonly interfaceName: string; readonly address: string; readonly prefix: number }
  /** Takes the temporary address off again. */
  | { readonly id: number; readonly job: 'remove-address'; readonly interfaceName: string; readonly address: string; readonly prefix: number };

/** The name of a job. */
export type JobName = JobRequest['job'];

/** The parent's answer to one request (a socket travels as the message's handle). */
export type JobReply =
  | { readonly kind: 'job-done'; readonly id: number; readonly added?: boolean }
  | { readonly kind: 'job-failed'; readonly id: number; readonly message: string; readonly errno?: string; readonly netKind?: NetErrorKind; readonly refused: boolean };

const NET_KINDS: readonly string[] = ['usage', 'interface', 'socket', 'port-in-use'] satisfies readonly NetErrorKind[];

function isNetKind(v: unknown): v is NetErrorKind {
  return typeof v === 'string' && NET_KINDS.includes(v);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}

function isText(v: unknown, max = 64): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

function isBufferSize(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 64 << 20);
}

/** Keys each job may carry (besides id and job); any other key refuses the request. */
const JOB_KEYS: Record<JobName, readonly string[]> = {
  'bind-dhcp': ['interfaceName', 'port'],
  'bind-udp': ['address', 'port', 'recvBufferBytes', 'sendBufferBytes'],
  'listen-tcp': ['address', 'port'],
  'add-address': ['interfaceName', 'address', 'prefix'],
  'remove-address': ['interfaceName', 'address', 'prefix'],
};

function isJobName(v: unknown): v is JobName {
  return typeof v === 'string' && Object.hasOwn(JOB_KEYS, v);
}

/** The request `value` is, or undefined when it is not exactly one of the shapes above. */
export function parseJobRequest(value: unknown): JobRequest | undefined {
  const r = record(value);
  if (!r || typeof r['id'] !== 'number' || !Number.isInteger(r['id']) || !isJobName(r['job'])) return undefined;
  const job = r['job'];
  if (Object.keys(r).some((k) => k !== 'id' && k !== 'job' && !JOB_KEYS[job].includes(k))) return undefined;
  const id = r['id'];
  switch (job) {
    case 'bind-dhcp':
      return isText(r['interfaceName'], 15) && isPort(r['port']) ? { id, job, interfaceName: r['interfaceName'], port: r['port'] } : undefined;
    case 'bind-udp': {
      const { address, port, recvBufferBytes, sendBufferBytes } = r;
      if (!isText(address) || !isPort(port) || !isBufferSize(recvBufferBytes) || !isBufferSize(sendBufferBytes)) return undefined;
      return { id, job, address, port, ...(typeof recvBufferBytes === 'number' ? { recvBufferBytes } : {}), ...(typeof sendBufferBytes === 'number' ? { sendBufferBytes } : {}) };
    }
    case 'listen-tcp':
      return isText(r['address']) && isPort(r['port']) ? { id, job, address: r['address'], port: r['port'] } : undefined;
    case 'add-address':
    case 'remove-address': {
      const { interfaceName, address, prefix } = r;
      if (!isText(interfaceName, 15) || !isText(address) || typeof prefix !== 'number' || !Number.isInteger(prefix)) return undefined;
      return { id, job, interfaceName, address, prefix };
    }
  }
}

/** The reply `value` is, or undefined (the child checks the parent's answers too). */
export function parseJobReply(value: unknown): JobReply | undefined {
  const r = record(value);
  if (!r || typeof r['id'] !== 'number') return undefined;
  if (r['kind'] === 'job-done') return { kind: 'job-done', id: r['id'], ...(typeof r['added'] === 'boolean' ? { added: r['added'] } : {}) };
  if (r['kind'] !== 'job-failed' || typeof r['message'] !== 'string') return undefined;
  const { errno, netKind } = r;
  return {
    kind: 'job-failed',
    id: r['id'],
    message: r['message'],
    refused: r['refused'] === true,
    ...(typeof errno === 'string' ? { errno } : {}),
    ...(isNetKind(netKind) ? { netKind } : {}),
  };
}
