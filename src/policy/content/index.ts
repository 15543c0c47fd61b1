// The public face of attachment content inspection. Callers (external and internal gateways, the
// fuzz tests) import from here; the files behind it are free to change.

export { inspectAttachment, type AttachmentInput, type InspectedAttachment } from './inspect-attachment.js';
export { checkFileName, fileExtension } from './file-name.js';
export {
  CONTENT_TYPES,
  DEFAULT_ALLOWED_TYPES,
  DEFAULT_CONTENT_LIMITS,
  DEFAULT_REQUEST_INFLATE_BYTES,
  parseAllowedTypes,
  type AllowedTypes,
  type ContentLimits,
  type ContentType,
  type DecodeBudget,
} from './limits.js';
export { pdfInventory, type PdfInventory } from './pdf-check.js';
export { MEDIA_TYPE } from './media-type.js';
