/**
 * The device inventory (issue 12): a CSV or YAML file with one row per device, read
 * and checked with every issue at file:line:column, looked up by MAC, client-id or
 * serial, edited without losing columns or comments, and shown with secrets masked.
 * Everything here is pure except file.ts.
 */
export { checkAddresses, type AddressSpace } from './addresses.js';
export { adoptEdit, inventoryMacStyle } from './adopt.js';
export { IDENTITY_COLUMNS, MEANING_COLUMNS, isSecretColumn, meaningOf, type MeaningColumn } from './columns.js';
export { isHostname, readClientId, type DeviceRow } from './device-row.js';
export { editInventoryText, findDevice, type CellChanges, type EditResult, type InventoryEdit } from './edit.js';
export { editInventoryFile, readInventoryFile, readInventoryText, writeInventoryText } from './file.js';
export { InventoryError, formatInventoryIssue, formatInventoryIssues, type InventoryIssue, type InventoryIssueKind } from './issues.js';
export { InventoryIndex, type DeviceIdentity } from './lookup.js';
export { formatMac, macForms, macHex, readMac, styleOfMac, type MacForms, type MacStyle } from './mac-spelling.js';
export { formatOfFile, loadInventory, parseInventory, type InventoryParseOptions } from './parse.js';
export type { CellPosition, InventoryFormat } from './raw-table.js';
export { SECRET_MASK, redactCells, redactRow } from './redact.js';
export type { Inventory, InventoryCheckOptions } from './validate.js';
