/**
 * Which TFTP clients get "busy" at once over the limits instead of waiting for a slot:
 * devices the cisco-phone profile recognises by their lease's option 60, and nobody else
 * (a Cisco OUI alone is a switch as often as a phone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retriesOnBusy } from '../../../src/appliance/busy-retry.js';
import { parseIpv4, parseMac } from '../../../src/net/ipv4.js';
import type { RequesterContext } from '../../../src/provision/tftp-storage.js';

const SCOPE = { name: 'bench', subnet: '10.10.0.0/24', mask: parseIpv4('255.255.255.0'), dns: [] };
const SERVER = { address: parseIpv4('10.10.0.1') };

function lookup(leases: Record<string, { mac: string; vendorClass?: string }>): (address: string) => RequesterContext | undefined {
  return (address) => {
    const l = leases[address];
    if (!l) return undefined;
    return { requester: { ip: parseIpv4(address), mac: parseMac(l.mac), ...(l.vendorClass === undefined ? {} : { vendorClass: l.vendorClass }) }, scope: SCOPE, server: SERVER };
  };
}

test('only a device whose option 60 the cisco-phone profile matches retries on busy', () => {
  const retries = retriesOnBusy(
    lookup({
      '10.10.0.20': { mac: '00:1b:d4:00:00:01', vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' },
      '10.10.0.21': { mac: '00:1b:d4:00:00:02' },
      '10.10.0.22': { mac: '80:5e:c0:00:00:03', vendorClass: 'yealink' },
      '10.10.0.23': { mac: '00:1b:d4:00:00:04', vendorClass: 'PXEClient:Arch:00007:UNDI:003016' },
    }),
  );
  const table: [string, boolean, string][] = [
    ['10.10.0.20', true, 'a Cisco phone by its option 60'],
    ['10.10.0.21', false, 'a Cisco OUI without option 60 (a switch as often as a phone)'],
    ['10.10.0.22', false, 'a Yealink phone'],
    ['10.10.0.23', false, 'PXE firmware on a Cisco OUI'],
    ['10.10.0.99', false, 'an address with no lease'],
  ];
  for (const [address, expected, what] of table) assert.equal(retries({ address }), expected, what);
});
