/**
 * The layering of src/, checked by `npm run lint` (dependency-cruiser), so that it stays true.
 *
 *   cli ──> appliance ──> config, store, control, ui, provisioning packages
 *                     └─> dhcp, tftp, syslog ──> net   (protocol packages)
 *
 * Protocol packages (dhcp, tftp, net) know nothing of the product around them: they
 * report through typed results and callbacks, and the product maps those to its BB_*
 * error catalogue (src/errors.ts) at its edge. The leaf modules src/clock.ts and
 * src/fs-durable.ts are seams any package may use; src/log.ts only as a type.
 */
const product = '^src/(cli|appliance|config|control|ui|store|inventory|templates|profiles|devices|http|web)/|^src/(errors|appliance)\\.ts$';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles, at module or package level', from: { path: '^src/' }, to: { circular: true } },
    { name: 'protocol-knows-no-product', severity: 'error', comment: 'dhcp, tftp and net import nothing of the product (config, cli, appliance, store, the BB_* catalogue)', from: { path: '^src/(dhcp|tftp|net|syslog)/' }, to: { path: product } },
    { name: 'protocol-log-type-only', severity: 'error', comment: 'protocol packages may name the Logger type, never configure or create logging', from: { path: '^src/(dhcp|tftp|net|syslog)/' }, to: { path: '^src/log\\.ts$', dependencyTypesNot: ['type-only'] } },
    { name: 'net-is-below-protocols', severity: 'error', from: { path: '^src/net/' }, to: { path: '^src/(dhcp|tftp|syslog)/' } },
    { name: 'dhcp-and-tftp-are-separate', severity: 'error', from: { path: '^src/dhcp/' }, to: { path: '^src/tftp/' } },
    { name: 'tftp-and-dhcp-are-separate', severity: 'error', from: { path: '^src/tftp/' }, to: { path: '^src/dhcp/' } },
    { name: 'only-cli-imports-cli', severity: 'error', from: { path: '^src/', pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    { name: 'appliance-is-on-top', severity: 'error', comment: 'only the CLI composes the appliance', from: { path: '^src/', pathNot: '^src/(cli|appliance)/' }, to: { path: '^src/appliance(/|\\.ts$)' } },
    { name: 'config-store-ui-control-below-appliance', severity: 'error', from: { path: '^src/(config|store|ui|control)/' }, to: { path: '^src/(cli|appliance)/' } },
    { name: 'store-knows-no-config', severity: 'error', from: { path: '^src/store/' }, to: { path: '^src/(config|tftp|ui|control)/' } },
    { name: 'config-knows-no-runtime', severity: 'error', from: { path: '^src/config/' }, to: { path: '^src/(store|tftp|ui|control)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
