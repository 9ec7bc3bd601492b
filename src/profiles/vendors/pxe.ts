/**
 * Network boot profiles, doing what scopes/pxe-lab.yaml does today: BIOS PXE gets
 * `undionly.kpxe`, UEFI firmware `ipxe.efi` (ARM: `ipxe-arm64.efi`), and iPXE itself,
 * recognised by option 77 `iPXE`, gets its script `boot.ipxe`. Architectures by
 * option 93, IANA "Processor Architecture Types" (RFC 4578 §2.1): 0 x86 BIOS, 6 x86
 * UEFI, 7 x64 UEFI (and 9, which x64 firmware sends in practice), 10/11 ARM UEFI.
 * Vendor class `PXEClient:Arch:…` (PXE 2.1 spec). PROVISIONING.md "PXE" row.
 * UEFI HTTP boot (15/16, 18/19, `HTTPClient`) needs a URL and option 60 back: not here yet.
 */
import type { Profile } from '../profile.js';

const PXE_NOTES = ['a profile for PXE firmware leaves iPXE (option 77 iPXE) to the ipxe profile, so no boot loop'];

/** BIOS PXE (arch 0): `undionly.kpxe`. */
export const PXE_BIOS: Profile = {
  id: 'pxe-bios',
  description: 'BIOS PXE firmware (option 93 arch 0): chain to iPXE undionly.kpxe',
  sources: ['RFC 4578 §2.1', 'IANA Processor Architecture Types', 'PROVISIONING.md: PXE'],
  match: { rules: [{ vendorClassPrefix: ['PXEClient'], arch: [0], notUserClass: ['iPXE'] }], ouis: [] },
  options: [{ code: 67, name: 'bootfile-name', source: { kind: 'boot-file-by-arch', files: { 0: 'undionly.kpxe' } } }],
  withholds: [],
  params: {},
  files: { requested: ['undionly.kpxe'], done: ['undionly.kpxe'], normalMisses: [], macSpelling: 'none' },
  notes: PXE_NOTES,
};

/** UEFI PXE (arch 6, 7, 9, 10, 11): `ipxe.efi` or its ARM build. */
export const PXE_UEFI: Profile = {
  id: 'pxe-uefi',
  description: 'UEFI PXE firmware (option 93 arch 6/7/9/10/11): chain to ipxe.efi',
  sources: ['RFC 4578 §2.1', 'IANA Processor Architecture Types', 'PROVISIONING.md: PXE'],
  match: { rules: [{ vendorClassPrefix: ['PXEClient'], arch: [6, 7, 9, 10, 11], notUserClass: ['iPXE'] }], ouis: [] },
  options: [{ code: 67, name: 'bootfile-name', source: { kind: 'boot-file-by-arch', files: { 6: 'ipxe-i386.efi', 7: 'ipxe.efi', 9: 'ipxe.efi', 10: 'ipxe-arm32.efi', 11: 'ipxe-arm64.efi' } } }],
  withholds: [],
  params: {},
  files: { requested: ['ipxe.efi'], done: ['ipxe.efi', 'ipxe-i386.efi', 'ipxe-arm32.efi', 'ipxe-arm64.efi'], normalMisses: [], macSpelling: 'none' },
  notes: PXE_NOTES,
};

/** iPXE (option 77 `iPXE`): its script. */
export const IPXE: Profile = {
  id: 'ipxe',
  description: 'iPXE (option 77 iPXE): boot.ipxe script',
  sources: ['iPXE documentation (user class iPXE)', 'PROVISIONING.md: PXE'],
  match: { rules: [{ userClass: ['iPXE'] }], ouis: [] },
  options: [{ code: 67, name: 'bootfile-name', source: { kind: 'text', text: '{script}' } }],
  withholds: [],
  params: { script: 'boot.ipxe' },
  files: { requested: ['{script}'], done: ['{script}'], normalMisses: [], macSpelling: 'none' },
  notes: [],
};
