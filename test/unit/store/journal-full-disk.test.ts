/**
 * Issue 16 point 3: the journal on a full disk, through the DHCP server and the real
 * lease store. The disk is injected at the journal's file-write seam: with `free` bytes
 * left, a write lands that much (a short write) and the next one fails with ENOSPC, as
 * the kernel does. While the disk is full no ACK is sent, the lease table does not hold
 * the lease that could not be written, and no fragment stays in the journal; once space
 * returns ACKs resume, and a restart keeps every ACKed lease.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../src/clock.js';
import { DHCP_MESSAGE_TYPE, OPTION } from '../../../src/dhcp/constants.js';
import { encodeDhcpPacket } from '../../../src/dhcp/packet.js';
import { ipv4ToBytes, parseIpv4, type MacAddress } from '../../../src/net/ipv4.js';
import { MemoryNetwork } from '../../../src/net/udp.js';
import { parseJournalLine } from '../../../src/store/format.js';
import type { JournalFile } from '../../../src/store/journal-writer.js';
import { openLeaseStore } from '../../../src/store/lease-store.js';
import { buildRequest, DhcpTestClient, DhcpTestPort, testMac } from '../../helpers/dhcp-client.js';
import { memoryDhcpServer } from '../../helpers/memory-dhcp.js';
import { scopeFromJson } from '../../helpers/scope-json.js';
import { waitUntil } from '../../helpers/wait.js';

const BENCH = scopeFromJson({ name: 'bench', interface: 'bench0', subnet: '10.9.0.0/24', ranges: [['10.9.0.100', '10.9.0.150']], leaseSeconds: 3600 });
const SERVER = '10.9.0.1';

/** A disk that holds `free` more bytes (undefined: plenty); truncation frees space, as on a real disk. */
class Disk {
  free: number | undefined;
  shortWrites = 0;
  enospc = 0;

  wrap(file: JournalFile): JournalFile {
    return {
      write: async (buffer, offset, length) => {
        if (this.free === undefined) return file.write(buffer, offset, length);
        if (this.free === 0) {
          this.enospc++;
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
        }
        const n = Math.min(length, this.free);
        const r = await file.write(buffer, offset, n);
        this.free -= r.bytesWritten;
        if (r.bytesWritten < length) this.shortWrites++;
        return r;
      },
      truncate: (length) => file.truncate(length),
      datasync: () => file.datasync(),
      stat: () => file.stat(),
      close: () => file.close(),
    };
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a full disk: no ACK, no lease in the table, no fragment; ACKs resume when space returns; a restart keeps every ACKed lease', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-full-disk-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const disk = new Disk();
  const clock = new FakeClock();
  const store = await openLeaseStore({ dir, now: clock.now(), wrapJournalFile: (f) => disk.wrap(f) });
  const net = new MemoryNetwork();
  const server = memoryDhcpServer({ scope: BENCH, store, clock, net, serverAddress: SERVER });
  await server.start();
  let stopped = false;
  t.after(async () => {
    if (!stopped) await Promise.all([server.stop(), store.close()]);
  });
  const port = new DhcpTestPort(net.bind('255.255.255.255', 68), { address: SERVER, port: 67 });
  const acked = new Map<MacAddress, string>();
  const obtain = async (mac: MacAddress): Promise<void> => {
    const got = await new DhcpTestClient(port, { mac }, { timeoutMs: 2000, attempts: 1 }).obtain();
    assert.ok(got, `${mac} was ACKed`);
    acked.set(mac, got.ip);
  };

  await obtain(testMac(1));
  await obtain(testMac(2));

  // The disk fills up: the next batch lands 40 bytes (less than one line), then ENOSPC.
  disk.free = 40;
  const late = testMac(3);
  const offer = await new DhcpTestClient(port, { mac: late }, { timeoutMs: 2000, attempts: 1 }).discover();
  assert.ok(offer, 'an offer is not journaled: it still comes');
  const request = buildRequest(DHCP_MESSAGE_TYPE.REQUEST, { mac: late }, { xid: offer.xid }, [
    { code: OPTION.REQUESTED_IP, data: ipv4ToBytes(offer.yiaddr) },
    { code: OPTION.SERVER_ID, data: ipv4ToBytes(parseIpv4(SERVER)) },
  ]);
  for (let attempt = 1; attempt <= 2; attempt++) {
    await port.fire(encodeDhcpPacket(request));
    await waitUntil(() => server.counters().journalErrors >= attempt, `attempt ${attempt}: the journal failure is counted`);
    assert.equal(server.counters().journalErrors, attempt, `attempt ${attempt}: counted once`);
  }
  assert.equal(disk.shortWrites, 1, 'the first attempt was a short write');
  assert.ok(disk.enospc >= 2, 'then ENOSPC');
  await tick();
  assert.equal(port.unmatched, 0, 'no ACK was sent');
  assert.equal(server.counters().scopes.bench?.acks, 2);
  const inTable = server.leases().find((l) => l.ip === offer.yiaddr);
  assert.notEqual(inTable?.state, 'bound', 'the table does not hold the lease that is not durable');
  // No fragment: every byte of the journal is a whole line of a lease change.
  const journal = (await readdir(dir)).find((n) => n.startsWith('journal.')) ?? '';
  const text = await readFile(join(dir, journal), 'utf8');
  assert.ok(text.endsWith('\n'), 'the journal ends with a whole line');
  assert.ok(text.trimEnd().split('\n').every((line) => parseJournalLine(line) !== undefined), 'every line is a lease change');

  // Space returns: ACKs resume, for the client that was refused and for a new one.
  disk.free = undefined;
  await obtain(late);
  await obtain(testMac(4));
  assert.equal(server.counters().scopes.bench?.acks, 4);

  // Restart (the directory as the server left it): every ACKed lease is there, nothing was skipped.
  stopped = true;
  await server.stop();
  await store.close();
  const reopened = await openLeaseStore({ dir, now: clock.now() });
  t.after(() => reopened.close());
  assert.equal(reopened.stats().damagedRecordsSkipped, 0);
  assert.equal(reopened.stats().tornLinesSkipped, 0);
  const bound = new Map(reopened.loaded.filter((l) => l.state === 'bound').map((l) => [l.mac, l.ip]));
  assert.deepEqual(bound, acked);
});
