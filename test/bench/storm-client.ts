/**
 * The TFTP storm's client: one Node process (run in the client namespace) that
 * plays many devices at once. Every device downloads the same firmware file and
 * then its own small config file, lock-step (RFC 1350) with the negotiated blksize
 * (RFC 2348), each transfer on its own socket (its own TID). All RRQs leave in the
 * same event-loop turn.
 *
 *   node storm-client.js '<json StormPlan>'
 *
 * No answer within 1 s → resend the last packet (5 times, then start the file again).
 * On an ERROR other than "file not found" (a busy refusal) it depends on the client
 * kind: `patient` waits 1–2 s and asks again until the storm's deadline; `phone`
 * asks again 1 s later, at most 5 times, then fails; `pxe` fails at once (PXE
 * firmware gives up at the first TFTP error). A device that has not finished by the
 * deadline has failed. Each firmware block is checked against the file's pattern (the
 * uint32 at every 4-byte offset is offset/4), so a wrong or misordered block is
 * counted as bad data. Prints one JSON line of StormOutcome.
 */
import { createSocket, type Socket } from 'node:dgram';

/** What the storm does. */
export interface StormPlan {
  readonly server: string;
  readonly port: number;
  readonly devices: number;
  /** Number of the first device this process plays (devices may be split over processes). */
  readonly firstDevice: number;
  /** Epoch ms at which every process sends its RRQs (so split processes start together). */
  readonly startAtMs: number;
  readonly firmware: string;
  readonly firmwareBytes: number;
  /** Per-device config name with `{i}` replaced by the device number. */
  readonly configPattern: string;
  readonly configBytes: number;
  readonly blksize: number;
  /** Gives up on everything still running after this long. */
  readonly deadlineMs: number;
  /** What a device does with a busy refusal (default `patient`). */
  readonly client?: StormClientKind;
}

/** How a device treats a busy refusal: retry until the deadline, 5 times 1 s apart, or never. */
export type StormClientKind = 'patient' | 'phone' | 'pxe';

/** Busy retries of a `phone` device per file, 1 s apart. */
const PHONE_BUSY_RETRIES = 5;

/** What the storm measured. */
export interface StormOutcome {
  readonly devices: number;
  readonly completedDevices: number;
  readonly failedDevices: number;
  readonly refusals: number;
  readonly timeouts: number;
  readonly restarts: number;
  readonly badData: number;
  readonly bytes: number;
  /** From startAtMs until the last device finished (ms). */
  readonly lastFinishMs: number;
  /** Every device's finish time from startAtMs (ms), sorted. */
  readonly finishMs: readonly number[];
  readonly errors: readonly string[];
}

const OP = { RRQ: 1, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;
const FILE_NOT_FOUND = 1;
const RESEND_MS = 1000;
const RESENDS = 5;

interface Counters {
  refusals: number;
  timeouts: number;
  restarts: number;
  badData: number;
  bytes: number;
  errors: string[];
}

function rrq(name: string, blksize: number): Buffer {
  const parts = [Buffer.from([0, OP.RRQ]), Buffer.from(`${name}\0octet\0`)];
  if (blksize !== 512) parts.push(Buffer.from(`blksize\0${blksize}\0`));
  return Buffer.concat(parts);
}

function ack(block: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(OP.ACK, 0);
  b.writeUInt16BE(block & 0xffff, 2);
  return b;
}

function parseOack(msg: Buffer): Map<string, string> {
  const fields = msg.subarray(2).toString('latin1').split('\0');
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) out.set((fields[i] ?? '').toLowerCase(), fields[i + 1] ?? '');
  return out;
}

/** Downloads one file; resolves true when complete with the expected size. */
function download(plan: StormPlan, name: string, expected: number, checkPattern: boolean, c: Counters, deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    let sock: Socket | undefined;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    let busyRetries = 0;

    const finish = (ok: boolean, why?: string): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      sock?.close();
      if (!ok && why && c.errors.length < 20) c.errors.push(`${name}: ${why}`);
      resolve(ok);
    };

    const attempt = (): void => {
      if (Date.now() > deadline) return finish(false, 'deadline');
      sock?.close();
      const s = createSocket('udp4');
      sock = s;
      let peerPort = 0;
      let blksize = 512;
      let next = 1;
      let got = 0;
      let last = rrq(name, plan.blksize);
      let resends = 0;
      const send = (buf: Buffer): void => {
        last = buf;
        s.send(buf, peerPort || plan.port, plan.server, (err) => {
          if (err && !done && c.errors.length < 20) c.errors.push(`${name}: send ${err.message}`);
        });
        arm();
      };
      const arm = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          if (sock !== s || done) return;
          c.timeouts++;
          if (++resends > RESENDS) {
            c.restarts++;
            attempt();
            return;
          }
          send(last);
        }, RESEND_MS);
      };
      s.on('error', (err) => {
        if (sock === s && !done) finish(false, `socket ${err.message}`);
      });
      s.on('message', (msg, rinfo) => {
        if (sock !== s || done || msg.length < 4) return;
        if (peerPort === 0) peerPort = rinfo.port;
        else if (rinfo.port !== peerPort) return; // another TID: not ours (RFC 1350 §4)
        const op = msg.readUInt16BE(0);
        if (op === OP.ERROR) {
          const code = msg.readUInt16BE(2);
          if (code === FILE_NOT_FOUND) return finish(false, 'file not found');
          c.refusals++;
          const kind = plan.client ?? 'patient';
          if (kind === 'pxe') return finish(false, 'busy (a PXE client gives up)');
          if (kind === 'phone' && ++busyRetries > PHONE_BUSY_RETRIES) return finish(false, `busy ${busyRetries} times`);
          if (timer) clearTimeout(timer);
          sock = undefined;
          s.close();
          timer = setTimeout(attempt, kind === 'phone' ? 1000 : 1000 + Math.floor(Math.random() * 1000));
          return;
        }
        resends = 0;
        if (op === OP.OACK) {
          const b = Number(parseOack(msg).get('blksize') ?? '512');
          blksize = Number.isInteger(b) && b >= 8 ? b : 512;
          send(ack(0));
          return;
        }
        if (op !== OP.DATA) return;
        const block = msg.readUInt16BE(2);
        if (block === (next & 0xffff)) {
          const data = msg.length - 4;
          if (checkPattern && data >= 4) {
            const offset = (next - 1) * blksize;
            if (offset % 4 === 0 && msg.readUInt32LE(4) !== (offset / 4) >>> 0) c.badData++;
          }
          got += data;
          c.bytes += data;
          next++;
          if (data < blksize) {
            // The last ACK must leave before the socket closes, or the server keeps
            // the transfer (and its slot) until it gives up retransmitting.
            if (timer) clearTimeout(timer);
            const ok = got === expected;
            s.send(ack(block), peerPort, plan.server, () => finish(ok, ok ? undefined : `got ${got} bytes, expected ${expected}`));
            return;
          }
          send(ack(block));
        } else if (block === ((next - 1) & 0xffff)) {
          send(ack(block)); // our ACK was lost: answer the duplicate again
        }
      });
      s.bind(0, () => send(last));
    };
    attempt();
  });
}

async function main(plan: StormPlan): Promise<StormOutcome> {
  const c: Counters = { refusals: 0, timeouts: 0, restarts: 0, badData: 0, bytes: 0, errors: [] };
  const wait = plan.startAtMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const start = plan.startAtMs;
  const deadline = start + plan.deadlineMs;
  const finishes: number[] = [];
  let failed = 0;
  const devices = Array.from({ length: plan.devices }, async (_, i) => {
    const fw = await download(plan, plan.firmware, plan.firmwareBytes, true, c, deadline);
    const cfg = fw && (await download(plan, plan.configPattern.replace('{i}', String(plan.firstDevice + i)), plan.configBytes, false, c, deadline));
    if (fw && cfg) finishes.push(Date.now() - start);
    else failed++;
  });
  await Promise.all(devices);
  finishes.sort((a, b) => a - b);
  return {
    devices: plan.devices,
    completedDevices: finishes.length,
    failedDevices: failed,
    refusals: c.refusals,
    timeouts: c.timeouts,
    restarts: c.restarts,
    badData: c.badData,
    bytes: c.bytes,
    lastFinishMs: finishes.length > 0 ? (finishes[finishes.length - 1] ?? NaN) : NaN,
    finishMs: finishes,
    errors: c.errors,
  };
}

const arg = process.argv[2];
if (arg === undefined) {
  process.stderr.write('usage: storm-client.js <json plan>\n');
  process.exit(2);
}
main(JSON.parse(arg) as StormPlan).then(
  (o) => process.stdout.write(`${JSON.stringify(o)}\n`),
  (err: unknown) => {
    process.stderr.write(`storm-client: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
