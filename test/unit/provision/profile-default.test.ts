/** Which requests a vendor profile's default file answers: the asker's own per-device names only, never a normal miss. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profileDefaultFor } from '../../../src/provision/profile-default.js';

test('profileDefaultFor, table cases per profile', () => {
  const cases: [string | undefined, string, string | undefined, string | undefined, string][] = [
    ['cisco-phone', 'SEP001BD4AABBCC.cnf.xml', '00:1b:d4:aa:bb:cc', 'XMLDefault.cnf.xml', 'Cisco phone, its SEP file'],
    ['cisco-phone', 'sep001bd4aabbcc.cnf.xml', '00:1b:d4:aa:bb:cc', 'XMLDefault.cnf.xml', 'whatever the case'],
    ['cisco-phone', 'CTLSEP001BD4AABBCC.tlv', '00:1b:d4:aa:bb:cc', undefined, 'a normal miss stays a miss'],
    ['cisco-phone', 'SEP001BD4AABBCD.cnf.xml', '00:1b:d4:aa:bb:cc', undefined, 'another phone\u2019s file'],
    ['cisco-phone', 'XMLDefault.cnf.xml', '00:1b:d4:aa:bb:cc', undefined, 'the default itself'],
    ['polycom', '0004f2aabbcc.cfg', '00:04:f2:aa:bb:cc', '000000000000.cfg', 'Polycom {mac}.cfg'],
    ['polycom', '0004f2aabbcc-phone.cfg', '00:04:f2:aa:bb:cc', undefined, 'Polycom normal miss'],
    ['yealink', '001565aabbcc.cfg', '00:15:65:aa:bb:cc', 'y000000000000.cfg', 'Yealink {mac}.cfg'],
    ['yealink', '001565aabbcc.boot', '00:15:65:aa:bb:cc', undefined, 'Yealink boot file is a normal miss'],
    ['snom', '000413AABBCC.xml', '00:04:13:aa:bb:cc', 'snom.xml', 'Snom {MAC}.xml'],
    ['cisco-ios', 'sw1-confg', '00:19:e8:a5:0a:81', undefined, 'IOS: no host name known, no default'],
    ['pxe-bios', 'undionly.kpxe', '00:00:5e:00:53:01', undefined, 'PXE names no default'],
    [undefined, 'SEP001BD4AABBCC.cnf.xml', '00:1b:d4:aa:bb:cc', undefined, 'no profile'],
  ];
  for (const [profile, name, mac, want, edge] of cases) assert.equal(profileDefaultFor(profile, name, mac)?.file, want, edge);
  assert.deepEqual(profileDefaultFor('cisco-ios', 'sw1-confg', '00:19:e8:a5:0a:81', 'SW1'), { profile: 'cisco-ios', file: 'router-confg' }, 'IOS with its lease host name');
});
