/**
 * Memory of the device timelines (issue 13, "memory for the timelines of 10,000
 * devices is bounded and reported"): fills a DeviceBook with the default retention
 * with N devices × E events each (a boot's DHCP exchange, files, syslog lines, with
 * short names as devices send them) and prints the V8 heap it took after a full GC.
 * Run with --expose-gc; prints one JSON line.
 *
 *   node --expose-gc dist/test/bench/timeline-memory.js 10000 200
 */
import { DeviceBook, estimateMemoryBound, type DeviceEvent } from '../../src/devices/index.js';

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

/** The k-th event of device i: a boot's worth of DHCP, files and syslog, over and over. */
function eventOf(i: number, k: number, atMs: number): DeviceEvent {
  const ip = `10.80.${1 + (i >> 8)}.${i & 255}`;
  switch (k % 10) {
    case 0:
      return { kind: 'dhcp', atMs, message: 'discover' };
    case 1:
      return { kind: 'dhcp', atMs, message: 'offer', ip, scope: 'bench', boot: { file: 'boot.cfg', option150: ['10.80.0.1'] } };
    case 2:
      return { kind: 'dhcp', atMs, message: 'request', ip };
    case 3:
      return { kind: 'dhcp', atMs, message: 'ack', ip, scope: 'bench', leaseSeconds: 43200 };
    case 7:
      return { kind: 'syslog', atMs, facility: 16, severity: 6, text: `prov: resync of SEP${i}.cnf.xml done (${k})` };
    default:
      return { kind: 'file', atMs, name: k % 10 === 4 ? `SEP${i}.cnf.xml` : `firmware-${k % 10}.bin`, protocol: 'tftp', origin: 'static', result: 'delivered', bytes: 2_097_152, durationMs: 900, retransmissions: 0, queueWaitMs: 0 };
  }
}

function main(): void {
  const devices = Number(process.argv[2] ?? 10_000);
  const perDevice = Number(process.argv[3] ?? 200);
  const book = new DeviceBook();
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  for (let i = 0; i < devices; i++) {
    const mac = `02:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`;
    for (let k = 0; k < perDevice; k++) book.apply({ mac, facts: { vendorClass: 'Cisco Systems, Inc. IP Phone CP-7965G', lastIp: `10.80.${1 + (i >> 8)}.${i & 255}` }, event: eventOf(i, k, t0 + k) });
  }
  const fillMs = Date.now() - t0;
  gc();
  const after = process.memoryUsage().heapUsed;
  const counts = book.counts();
  const bound = estimateMemoryBound(book.retention);
  process.stdout.write(
    `${JSON.stringify({ devices: counts.devices, events: counts.events, heapBytes: after - before, bytesPerEvent: (after - before) / Math.max(1, counts.events), fillMs, rssBytes: process.memoryUsage().rss, estimatedTypicalBoundBytes: bound.typicalBytes, estimatedWorstBoundBytes: bound.worstBytes })}\n`,
  );
}

main();
