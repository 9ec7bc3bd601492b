/**
 * UEFI HTTP boot answers (UEFI 2.10 §24.7), fed through the pure engine: what the
 * firmware receives in options 60 and 67 and the `file` field, per case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvisioningPolicy } from '../../../src/appliance/dhcp-policy.js';
import { bootUrl, withHttpBoot } from '../../../src/appliance/http-boot.js';
import { getOptionText, type DhcpPacket } from '../../../src/dhcp/packet.js';
import type { Scope } from '../../../src/config/scope.js';
import { Bench, benchScope } from '../dhcp/fixtures.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const HTTP_CLIENT = [{ code: 60, data: text('HTTPClient:Arch:00016:UNDI:003016') }, { code: 93, data: Uint8Array.of(0, 16) }];

function offer(scope: Scope, extra: { code: number; data: Uint8Array }[], httpPort: number | undefined, profiles = false): DhcpPacket {
  const bench = new Bench([scope]);
  const policy = new ProvisioningPolicy();
  bench.policy = (input) => withHttpBoot(input, profiles ? policy.answer(input) : undefined, httpPort);
  const r = bench.send({ type: 1, extra });
  assert.equal(r.kind, 'reply');
  if (r.kind !== 'reply') throw new Error('no reply');
  return r.reply;
}

const pxeScope = (file: string): Scope => benchScope({ boot: { ...benchScope().boot, file } });

test('an HTTPClient request gets option 60 HTTPClient and the scope boot file as a URL to our address', () => {
  const p = offer(pxeScope('ipxe.efi'), HTTP_CLIENT, 80);
  assert.equal(getOptionText(p, 60), 'HTTPClient');
  assert.equal(getOptionText(p, 67), 'http://10.9.0.1/ipxe.efi');
  assert.equal(p.file, 'http://10.9.0.1/ipxe.efi');
});

test('a port other than 80 is in the URL', () => {
  assert.equal(getOptionText(offer(pxeScope('boot/ipxe.efi'), HTTP_CLIENT, 6970), 67), 'http://10.9.0.1:6970/boot/ipxe.efi');
});

test('a boot file that is already a URL is sent as it is', () => {
  assert.equal(getOptionText(offer(pxeScope('http://10.9.0.5/x.efi'), HTTP_CLIENT, 80), 67), 'http://10.9.0.5/x.efi');
});

test('a profile\'s boot file (pxe-uefi by architecture) becomes the URL', () => {
  const scope = benchScope({ boot: { ...benchScope().boot, file: 'scope.efi' }, profiles: ['pxe-uefi'] });
  const extra = [{ code: 60, data: text('HTTPClient:Arch:00007:UNDI:003016') }, { code: 93, data: Uint8Array.of(0, 7) }];
  // pxe-uefi matches PXEClient only: the scope's file is used for an HTTPClient.
  assert.equal(getOptionText(offer(scope, extra, 80, true), 67), 'http://10.9.0.1/scope.efi');
});

test('PXE clients, HTTP off, and no boot file leave the answer alone', () => {
  const pxe = offer(pxeScope('ipxe.efi'), [{ code: 60, data: text('PXEClient:Arch:00007:UNDI:003016') }], 80);
  assert.equal(getOptionText(pxe, 60), undefined);
  assert.equal(getOptionText(pxe, 67), 'ipxe.efi');
  const off = offer(pxeScope('ipxe.efi'), HTTP_CLIENT, undefined);
  assert.equal(getOptionText(off, 60), undefined);
  assert.equal(getOptionText(off, 67), 'ipxe.efi');
  const none = offer(benchScope({ boot: { ...benchScope().boot, file: undefined } }), HTTP_CLIENT, 80);
  assert.equal(getOptionText(none, 60), undefined);
});

test('a URL longer than the file field goes in option 67 only', () => {
  const long = `images/${'x'.repeat(130)}.efi`;
  const p = offer(pxeScope(long), HTTP_CLIENT, 80);
  assert.equal(getOptionText(p, 67), `http://10.9.0.1/${long}`);
  assert.equal(p.file, '');
});

test('bootUrl: leading separators dropped, segments percent-encoded', () => {
  assert.equal(bootUrl('/a b/c.efi', '10.0.0.1', 80), 'http://10.0.0.1/a%20b/c.efi');
  assert.equal(bootUrl('\\x.efi', '10.0.0.1', 8080), 'http://10.0.0.1:8080/x.efi');
});
