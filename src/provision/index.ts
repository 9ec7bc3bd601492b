/**
 * Provisioning (issue 12): what a device gets for a requested file name — a static
 * file, bytes rendered from a template for it, or nothing — decided once here for
 * TFTP, HTTP and `benchboot render`. The file system is reached only through
 * ProvisionFiles (real: files.ts; in memory: memory-files.ts).
 */
export { scopeFacts, serverFacts } from './facts.js';
export { FsProvisionFiles, type Listing, type ProvisionFiles } from './files.js';
export { MemoryProvisionFiles } from './memory-files.js';
export { ProvisionResolver, type ProvisionRequest, type ProvisionResolverOptions, type ProvisionResult, type Requester } from './resolver.js';
export { checkTemplates, TemplateStore } from './template-store.js';
export { InventoryIssuesError, loadInventoryIndex, withInventoryIssues } from './inventory-file.js';
export { formatRenderFailure, MAX_PENDING_RENDER_FAILURES, RenderFailures, type RenderFailure } from './render-failures.js';
