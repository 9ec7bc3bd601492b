/**
 * Cisco profiles.
 * - cisco-phone: Cisco Unified IP phones. Sources: Cisco CME "Configuration Files"
 *   guide and the Cisco seed (../shared/seeds/002_…: "option 066 and option 150 are
 *   mutually exclusive"; the later one in the option list wins), PROVISIONING.md
 *   "Cisco IP phones" row; vendor class per wazo-provd-plugins wazo-cisco-sccp
 *   (`Cisco Systems, Inc. IP Phone CP-7941G`). Sends 150 (RFC 5859) and withholds 66.
 * - cisco-ios: IOS autoinstall. Sources: Cisco "Using AutoInstall" configuration
 *   guides, PROVISIONING.md "Cisco IOS autoinstall" row. IOS sends no vendor class of
 *   its own; it is recognised by the default client identifier of the IOS DHCP client
 *   (option 61, type 0, then ASCII `cisco-<MAC dotted>-<short interface name>`):
 *   Cisco IOS 15M&T and IOS XE 16 "AutoInstall" configuration guides, "Determining
 *   the value for the DHCP client identifier" (`cisco-0006.53b7.8e71-fa3/0`, hex
 *   `0063.6973.636f.2d…`); a capture of a Catalyst 2960-X's first-boot DISCOVER
 *   (vincent.bernat.ch, "Zero-Touch Provisioning for Cisco IOS", 2020: option 61
 *   type 0 `cisco-b414.896c.12c0-Vl1`, no option 60). IOS XE's PnP DISCOVERs carry
 *   option 60 `ciscopnp` and go to cisco-pnp. The Cisco OUIs are a fallback only,
 *   tried when the device's facts match no profile explicitly (a Cisco phone's
 *   option 60 keeps it off this profile).
 * - cisco-pnp: Cisco Network Plug and Play agents. Sources: Cisco "Network PnP
 *   solution guide" (DHCP option 43 string), oliverl-21/Open_PnP_Server README,
 *   PROVISIONING.md "Cisco PnP" row. Matches only vendor class `ciscopnp`.
 */
import type { Profile } from '../profile.js';

/** Cisco OUIs seen on phones and routers (a fallback only; Cisco uses hundreds). */
const CISCO_OUIS = ['00:1b:d4', '00:1e:7a', '00:23:33', '00:25:84', '00:07:0e', '64:16:8d', 'f4:cf:e2'];

/** The IOS DHCP client's default option 61 text: `cisco-`, the MAC in dotted groups, `-`, the short interface name (`Vl1`, `Gi0/1`, `fa3/0`). */
const IOS_CLIENT_ID = /^cisco-[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}-[A-Za-z][\x21-\x7e]*$/i;

/** Cisco IP phones: option 150, no 66, SEP<MAC>.cnf.xml then XMLDefault.cnf.xml. */
export const CISCO_PHONE: Profile = {
  id: 'cisco-phone',
  description: 'Cisco IP phones (CUCM/CME): option 150, never 66 beside it',
  sources: ['Cisco CME Configuration Files guide', 'Cisco seed 002 (option 66 vs 150)', 'PROVISIONING.md: Cisco IP phones'],
  match: { rules: [{ vendorClassPrefix: ['Cisco Systems, Inc. IP Phone', 'Cisco Systems Inc. Wireless Phone'] }], ouis: CISCO_OUIS },
  options: [{ code: 150, name: 'tftp-servers', source: { kind: 'server-list' } }],
  withholds: [66],
  // The CUCM TFTP service answers "busy" over its limit and the phones come back (issue 15).
  retriesOnBusy: true,
  params: {},
  files: {
    requested: ['CTLSEP{MAC}.tlv', 'ITLSEP{MAC}.tlv', 'SEP{MAC}.cnf.xml', 'XMLDefault.cnf.xml'],
    done: ['SEP{MAC}.cnf.xml'],
    normalMisses: ['CTLSEP{MAC}.tlv', 'ITLSEP{MAC}.tlv'],
    defaultFile: 'XMLDefault.cnf.xml',
    macSpelling: 'upper',
  },
  notes: ['siaddr should equal the first option 150 address; sname must be a DNS name, never a dotted IP', 'CTL/ITL misses are normal without security (no CTL/ITL file on the server)'],
};

/** Cisco IOS autoinstall: option 66/67 or 150, network-confg then <hostname>-confg. */
export const CISCO_IOS: Profile = {
  id: 'cisco-ios',
  description: 'Cisco IOS routers and switches (autoinstall over TFTP)',
  sources: ['Cisco AutoInstall configuration guide', 'PROVISIONING.md: Cisco IOS autoinstall'],
  match: { rules: [{ clientIdPattern: IOS_CLIENT_ID }], ouis: CISCO_OUIS },
  options: [{ code: 150, name: 'tftp-servers', source: { kind: 'server-list' } }, { code: 66, name: 'tftp-server-name', source: { kind: 'text', text: '{server}' } }],
  withholds: [],
  params: {},
  files: {
    requested: ['network-confg', 'cisconet.cfg', '{hostname}-confg', '{hostname}.cfg', 'router-confg', 'ciscortr.cfg'],
    done: ['{hostname}-confg', '{hostname}.cfg'],
    normalMisses: ['network-confg', 'cisconet.cfg', 'router-confg', 'ciscortr.cfg'],
    defaultFile: 'router-confg',
    macSpelling: 'none',
  },
  notes: ['IOS learns its host name from network-confg (ip host) or DNS, then asks for <hostname>-confg; the cycle repeats 3 times'],
};

/** Cisco PnP agents: option 43 `5A1N;B2;K4;I<ip>;J<port>` pointing at a PnP server. */
export const CISCO_PNP: Profile = {
  id: 'cisco-pnp',
  description: 'Cisco Network Plug and Play agents: option 43 points at your PnP server',
  sources: ['Cisco Network PnP solution guide (DHCP option 43)', 'oliverl-21/Open_PnP_Server README', 'PROVISIONING.md: Cisco PnP'],
  match: { rules: [{ vendorClassPrefix: ['ciscopnp'] }], ouis: [] },
  options: [{ code: 43, name: 'vendor-specific', source: { kind: 'cisco-pnp', server: '{pnp_server}', port: '{pnp_port}', transport: 'http' } }],
  withholds: [],
  params: { pnp_server: '{server}', pnp_port: '80' },
  files: { requested: [], done: [], normalMisses: [], macSpelling: 'none' },
  notes: ['benchboot is not a PnP server: set pnp_server/pnp_port to the PnP server you run', 'sent only to devices whose vendor class is ciscopnp'],
};
