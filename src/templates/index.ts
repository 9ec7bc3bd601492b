/**
 * Per-device templates (issue 12): a LiquidJS engine that cannot read files or run
 * code, the name rules that pick a static file or a template for a TFTP request, the
 * variables a render sees, and a bounded cache of rendered bytes. Pure: the caller
 * lists directories and reads template files.
 */
export { RenderCache, renderKey, type RenderKeyParts } from './cache.js';
export { formatTemplateProblem, TemplateEngine, type CompiledTemplate, type ParseResult, type RenderResult, type TemplateProblem } from './engine.js';
export { matchTemplateName, parseTemplateName, resolveName, TEMPLATE_SUFFIX, type Captured, type NameResolution, type NameToken, type TemplateName } from './names.js';
export { buildVariables, deviceVariables, type RequesterFacts, type ScopeFacts, type ServerFacts, type TemplateVariables, type VariableInput } from './variables.js';
