/**
 * PBX phones told by a vendor string.
 * - avaya: Avaya 96x1/J100 installation guides (option 242
 *   `HTTPSRVR=…,L2Q=…,L2QVLAN=…`; vendor class `ccp.avaya.com`; `46xxsettings.txt`
 *   unverified), PROVISIONING.md "Avaya" row.
 * - mitel: Mitel MiNET phones, Mitel 5560 / 3300 ICP engineering guidelines "Vendor
 *   information data format (options 125 and 43)" and PROVISIONING.md "Mitel MiNET" row:
 *   option 125 with RFC 3925 framing (enterprise 1027, then the string), string
 *   `id:ipphone.mitel.com;sw_tftp=…;call_srv=…`, at most 250 characters in 125.
 *   Vendor class `ipphone.mitel.com`.
 */
import type { Profile } from '../profile.js';

/** Avaya 96x1/J100: option 242 `HTTPSRVR=<server>,L2Q=<l2q>,L2QVLAN=<vlan>`. */
export const AVAYA: Profile = {
  id: 'avaya',
  description: 'Avaya 96x1 / J100 phones: option 242 string',
  sources: ['Avaya J100 installation guide (DHCP option 242)', 'PROVISIONING.md: Avaya'],
  match: { rules: [{ vendorClassPrefix: ['ccp.avaya.com'] }], ouis: [] },
  options: [{ code: 242, name: 'avaya-ip-phone', source: { kind: 'avaya', pairs: [['HTTPSRVR', '{http_server}'], ['L2Q', '{l2q}'], ['L2QVLAN', '{vlan}']] } }],
  withholds: [],
  params: { http_server: '{server}', l2q: '0', vlan: '0' },
  files: { requested: ['46xxupgrade.scr', '46xxsettings.txt'], done: ['46xxsettings.txt'], normalMisses: [], defaultFile: '46xxsettings.txt', macSpelling: 'none' },
  notes: ['4600 series read option 176 (MCIPADD=…,MCPORT=1719,TFTPSRVR=…) instead', 'file names unverified: check your phone load'],
};

/** Mitel MiNET phones: option 125 (enterprise 1027) with the MiNET string. */
export const MITEL: Profile = {
  id: 'mitel',
  description: 'Mitel MiNET phones: option 125 (RFC 3925, enterprise 1027) string',
  sources: ['Mitel 5560 IPT / 3300 ICP engineering guidelines (options 125 and 43)', 'RFC 3925 §4', 'PROVISIONING.md: Mitel MiNET'],
  match: { rules: [{ vendorClassPrefix: ['ipphone.mitel.com'] }], ouis: [] },
  options: [
    {
      code: 125,
      name: 'vivso',
      source: { kind: 'mitel', carrier: 'option-125', pairs: [['sw_tftp', '{server}'], ['call_srv', '{call_server}'], ['vlan', '{vlan}'], ['l2p', '{l2p}'], ['dscp', '{dscp}']] },
    },
  ],
  withholds: [],
  params: { call_server: '{server}', vlan: '1', l2p: '6', dscp: '46' },
  files: { requested: [], done: [], normalMisses: [], macSpelling: 'none' },
  notes: ['set call_server to your ICP; the string is case-sensitive and limited to 250 characters in option 125'],
};
