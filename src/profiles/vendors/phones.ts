/**
 * SIP phone profiles that find their provisioning server by option 66 (or 160).
 * Sources, per profile (and PROVISIONING.md rows of the same names):
 * - polycom: Polycom UC Software administrator guide (66, or a custom option such as
 *   160; `<MAC>.cfg` then `000000000000.cfg`); 160 is common in practice (unverified
 *   in the vendor text, so both are sent). Vendor class `Polycom-<model>`.
 * - yealink: Yealink auto-provisioning guide (custom option, then 66; `y0000000000XX.cfg`
 *   per model, `<mac>.cfg`). Vendor class `yealink`.
 * - grandstream: Grandstream SIP device provisioning guide (66; `cfg<mac>.xml`,
 *   `cfg.xml`). Vendor class e.g. `Grandstream GXP2170 dslforum.org`, `HT8XX dslforum.org`.
 * - snom: Snom mass-deployment guide (66/67 setting server; per-MAC settings file).
 * - mitel-sip: Mitel SIP (Aastra) phones, MiVoice 400 documentation (`aastra.cfg`,
 *   `<MAC>.cfg` upper-case). Vendor class `AastraIPPhone<model>`.
 *
 * Option 66 as a URL (issue 14): when serve runs HTTP, Polycom, Yealink, Grandstream and
 * Snom get `http://<server>[:port]/` in 66 (port 80 when served), so they fetch and
 * upload over HTTP; with HTTP off, the plain address (TFTP) as before. What each vendor
 * documents about a URL there:
 * - Polycom SIP 3.1 administrator's guide, "Supported Provisioning Protocols": the boot
 *   server address (from DHCP too) may be an IP address, a domain name or a URL with a
 *   transfer protocol (`http://usr:pwd@server`); option 160 is the "custom" option,
 *   read before 66 (DHCP menu, "Custom+Option 66"), so 160 follows the same rule;
 * - Yealink IP Phones Auto Provisioning Guide: custom option, then 66, then 43 for the
 *   provisioning server address; the phones provision over TFTP, FTP, HTTP or HTTPS,
 *   named by the URL's scheme (TFTP without one);
 * - Grandstream DHCP Options Guide (option 66): the value is the config server path,
 *   which may carry `http://` or `https://`;
 * - Snom wiki, Features/Mass Deployment/DHCP/DHCP Server: the setting server URL comes
 *   from 66 (`http://test`) and 67 (the path); settings are downloaded from web servers.
 * Mitel SIP keeps the address: its documentation above names a TFTP server only.
 */
import type { Profile } from '../profile.js';

const OPTION_66 = { code: 66, name: 'tftp-server-name', source: { kind: 'text', text: '{server}' } } as const;
/** 66 naming benchboot's HTTP server when it serves HTTP, else its address. */
const OPTION_66_URL = { code: 66, name: 'tftp-server-name', source: { kind: 'provisioning-server', tftp: '{server}' } } as const;

/** Polycom UC Software phones: 160 and 66; `<mac>.cfg`, `000000000000.cfg`. */
export const POLYCOM: Profile = {
  id: 'polycom',
  description: 'Polycom VVX/SoundPoint (UC Software): options 160 and 66',
  sources: ['Polycom UC Software administrator guide', 'Polycom SIP 3.1 administrator guide: Supported Provisioning Protocols (boot server as URL)', 'PROVISIONING.md: Polycom'],
  match: { rules: [{ vendorClassPrefix: ['Polycom'] }], ouis: ['00:04:f2', '64:16:7f'] },
  options: [{ code: 160, name: 'polycom-provisioning-server', source: { kind: 'provisioning-server', tftp: 'tftp://{server}' } }, OPTION_66_URL],
  withholds: [],
  params: {},
  files: { requested: ['{mac}.cfg', '000000000000.cfg'], done: ['{mac}.cfg'], normalMisses: ['{mac}-phone.cfg', '{mac}-web.cfg'], defaultFile: '000000000000.cfg', macSpelling: 'lower' },
  notes: ['the phone uploads logs and call lists back: give it an upload directory'],
};

/** Yealink phones: 66; `y0000000000XX.cfg`, `<mac>.cfg`. */
export const YEALINK: Profile = {
  id: 'yealink',
  description: 'Yealink SIP phones: option 66',
  sources: ['Yealink IP Phones Auto Provisioning Guide (custom option > 66 > 43; TFTP, FTP, HTTP or HTTPS by URL)', 'PROVISIONING.md: Yealink'],
  match: { rules: [{ vendorClassPattern: /^yealink/i }], ouis: ['00:15:65', '80:5e:c0', '24:9a:d8'] },
  options: [OPTION_66_URL],
  withholds: [],
  params: {},
  files: { requested: ['y0000000000{model}.cfg', '{mac}.cfg'], done: ['{mac}.cfg'], normalMisses: ['{mac}-local.cfg', 'y000000000000.boot', '{mac}.boot'], defaultFile: 'y000000000000.cfg', macSpelling: 'lower' },
  notes: ['y0000000000XX.cfg: XX is the model code'],
};

/** Grandstream phones and ATAs: 66; `cfg<mac>.xml`, `cfg.xml`. */
export const GRANDSTREAM: Profile = {
  id: 'grandstream',
  description: 'Grandstream phones and HT ATAs: option 66',
  sources: ['Grandstream SIP device provisioning guide', 'Grandstream DHCP Options Guide: option 66 (config server path, http:// allowed)', 'PROVISIONING.md: Grandstream'],
  match: { rules: [{ vendorClassPattern: /grandstream|^HT8XX dslforum\.org$/i }], ouis: ['00:0b:82', 'c0:74:ad', 'ec:74:d7'] },
  options: [OPTION_66_URL],
  withholds: [],
  params: {},
  files: { requested: ['cfg{mac}', 'cfg{mac}.xml', 'cfg.xml'], done: ['cfg{mac}.xml', 'cfg{mac}'], normalMisses: ['cfg{mac}', 'cfg.xml'], defaultFile: 'cfg.xml', macSpelling: 'lower' },
  notes: ['settings are numeric P-values (P270)'],
};

/** Snom phones: 66; per-MAC settings file. */
export const SNOM: Profile = {
  id: 'snom',
  description: 'Snom SIP phones: option 66',
  sources: ['Snom mass-deployment guide', 'Snom wiki: Features/Mass Deployment/DHCP/DHCP Server (66 http://…, 67 path)', 'PROVISIONING.md: Snom'],
  match: { rules: [{ vendorClassPattern: /^snom/i }], ouis: ['00:04:13'] },
  options: [OPTION_66_URL],
  withholds: [],
  params: {},
  files: { requested: ['{MAC}.xml', 'snom.xml'], done: ['{MAC}.xml'], normalMisses: [], defaultFile: 'snom.xml', macSpelling: 'upper' },
  notes: ['the setting_server URL may carry {mac}, replaced by the phone'],
};

/** Mitel SIP (Aastra) phones: 66; `aastra.cfg`, `<MAC>.cfg`. */
export const MITEL_SIP: Profile = {
  id: 'mitel-sip',
  description: 'Mitel SIP (Aastra) phones: option 66, aastra.cfg then <MAC>.cfg',
  sources: ['Mitel MiVoice Office 400 documentation', 'PROVISIONING.md: Mitel SIP (Aastra)'],
  match: { rules: [{ vendorClassPrefix: ['AastraIPPhone'] }], ouis: ['00:08:5d'] },
  options: [OPTION_66],
  withholds: [],
  params: {},
  files: { requested: ['aastra.cfg', '{MAC}.cfg'], done: ['{MAC}.cfg'], normalMisses: [], defaultFile: 'aastra.cfg', macSpelling: 'upper' },
  notes: [],
};
