/**
 * Switch zero-touch profiles.
 * - juniper-ztp: Junos "Zero Touch Provisioning" DHCP options and
 *   openfibernet/juniper-ztp dhcpd.conf (option 43 sub-options 00–05, server from
 *   150 or 66, 150 winning), PROVISIONING.md "Juniper ZTP" row. Vendor class
 *   `Juniper-<model>…` (e.g. `Juniper-ex2300-24p`).
 * - arista-ztp: Arista EOS ZTP and arista-eosplus ztpserver docs/config.rst (option 67
 *   is the URL of the bootstrap script), PROVISIONING.md "Arista EOS ZTP" row.
 */
import type { Profile } from '../profile.js';

/** Juniper ZTP: option 43 sub-options, option 150 as the file server. */
export const JUNIPER_ZTP: Profile = {
  id: 'juniper-ztp',
  description: 'Juniper EX/QFX/SRX zero-touch provisioning: option 43 sub-options, 150',
  sources: ['Junos Zero Touch Provisioning (DHCP options)', 'openfibernet/juniper-ztp dhcpd.conf', 'PROVISIONING.md: Juniper ZTP'],
  match: { rules: [{ vendorClassPrefix: ['Juniper-'] }], ouis: [] },
  options: [
    { code: 43, name: 'vendor-specific', source: { kind: 'juniper-ztp', configFile: '{config_file}', imageFile: '{image_file}', transferMode: 'tftp' } },
    { code: 150, name: 'tftp-servers', source: { kind: 'server-list' } },
  ],
  withholds: [],
  params: { config_file: 'juniper.conf', image_file: '' },
  files: { requested: ['{config_file}'], done: ['{config_file}'], normalMisses: [], macSpelling: 'none' },
  notes: ['set image_file to upgrade Junos during ZTP'],
};

/** Arista EOS ZTP: option 67 = URL of the bootstrap script. */
export const ARISTA_ZTP: Profile = {
  id: 'arista-ztp',
  description: 'Arista EOS zero-touch provisioning: option 67 bootstrap URL',
  sources: ['Arista EOS ZTP', 'arista-eosplus/ztpserver docs/config.rst', 'PROVISIONING.md: Arista EOS ZTP'],
  match: { rules: [{ vendorClassPrefix: ['Arista'] }], ouis: ['00:1c:73', '28:99:3a', '44:4c:a8'] },
  options: [{ code: 67, name: 'bootfile-name', source: { kind: 'text', text: '{bootstrap_url}' } }],
  withholds: [],
  params: { bootstrap_url: 'http://{server}:8080/bootstrap' },
  files: { requested: [], done: [], normalMisses: [], macSpelling: 'none' },
  notes: ['the script is fetched over HTTP (ZTPServer or any web server)'],
};
