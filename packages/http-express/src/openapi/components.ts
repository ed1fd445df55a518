import { ERROR_CODES } from '@kirim/core';
import * as schemas from '@kirim/core/schemas';
import { jsonSchemaOf, type JsonSchema } from '@kirim/core/schemas';
import { statusForCode } from '../errors.js';

/** The records the API answers, documented once under `components.schemas` by these names. */
const RESPONSE_SCHEMAS = {
  User: schemas.userSchema,
  ApiToken: schemas.apiTokenViewSchema,
  GeneratedToken: schemas.generatedTokenSchema,
  Announcement: schemas.announcementSchema,
  Contact: schemas.contactSchema,
  ContactStatistics: schemas.contactStatisticsSchema,
  ContactImportReport: schemas.contactImportReportSchema,
  ContactsDeleted: schemas.bulkDeleteContactsResultSchema,
  ContactGroup: schemas.contactGroupSchema,
  GroupContactsAdded: schemas.groupContactsAddedSchema,
  GroupContactsRemoved: schemas.groupContactsRemovedSchema,
  PersonalizedPreview: schemas.personalizedPreviewResultSchema,
  Template: schemas.templateSchema,
  Session: schemas.sessionViewSchema,
  SessionStatus: schemas.sessionStatusViewSchema,
  PairingCode: schemas.pairingCodeResultSchema,
  SessionContact: schemas.sessionContactSchema,
  LiveGroup: schemas.liveGroupSchema,
  WhatsappGroup: schemas.whatsappGroupSchema,
  GroupSync: schemas.groupSyncResultSchema,
  Message: schemas.messageViewSchema,
  SendResult: schemas.sendResultSchema,
  ScheduledMessage: schemas.scheduledViewSchema,
  BulkJob: schemas.bulkJobViewSchema,
  BulkJobStatus: schemas.bulkJobStatusViewSchema,
  Pool: schemas.poolViewSchema,
  Lead: schemas.leadSchema,
  LeadStatistics: schemas.leadStatisticsSchema,
  LeadImportReport: schemas.leadImportReportSchema,
  LeadStatusUpdated: schemas.bulkLeadStatusResultSchema,
  LeadStatusSynced: schemas.syncLeadStatusResultSchema,
  LeadTask: schemas.leadTaskViewSchema,
  LeadTaskDetail: schemas.leadTaskDetailSchema,
  LeadSourceStatus: schemas.leadSourceStatusSchema,
  Webhook: schemas.webhookViewSchema,
  WebhookDelivery: schemas.webhookDeliveryViewSchema,
  EngineStatus: schemas.engineStatusSchema,
};

/** The name of a documented record. */
export type ComponentName = keyof typeof RESPONSE_SCHEMAS;

/** A reference to a documented record. */
export const ref = (name: ComponentName | 'Error'): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The error envelope: core's stable code, a message, and for a 422 every offending field with its reasons. */
const errorSchema = {
  type: 'object',
  required: ['success', 'code', 'message'],
  properties: {
    success: { const: false },
    code: { type: 'string', enum: [...ERROR_CODES] },
    message: { type: 'string' },
    errors: {
      type: 'object',
      description: 'Each offending field (by its wire name, dotted when nested) with every reason it was refused',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
  },
  description: 'Some errors add fields of their own, such as `upgrade_url` on a 402 or `session_status` on a 409',
};

// One example per status; which codes a status stands for comes from statusForCode, the one table.
const ERROR_EXAMPLES: Record<number, { summary: string; example: Record<string, unknown> }> = {
  400: { summary: 'Bad request', example: { code: 'bad_request', message: 'Malformed JSON in request body' } },
  403: { summary: 'Forbidden', example: { code: 'forbidden', message: 'Admins only' } },
  404: { summary: 'Not found', example: { code: 'not_found', message: 'Contact not found' } },
  409: {
    summary: 'Conflict',
    example: { code: 'conflict', message: 'A contact with this phone already exists', errors: { phone: ['is taken'] } },
  },
  402: {
    summary: 'Plan required',
    example: {
      code: 'plan_required',
      message: 'Send pools are a Supporter feature.',
      upgrade_url: 'https://example.com/upgrade',
    },
  },
  413: { summary: 'Payload too large', example: { code: 'payload_too_large', message: 'Request body is too large' } },
  422: {
    summary: 'Validation failed: every offending field named',
    example: {
      code: 'validation',
      message: 'Invalid to, message',
      errors: { to: ['is not a valid phone number'], message: ['is required'] },
    },
  },
  429: { summary: 'Rate limited', example: { code: 'rate_limited', message: 'Too many requests' } },
  500: {
    summary: 'Internal error (never a stack trace)',
    example: { code: 'internal', message: 'Internal server error' },
  },
  503: {
    summary: 'No connected device, or a service unavailable',
    example: {
      code: 'no_device',
      message: 'No member device is currently connected. All pool members are offline or circuit-broken.',
    },
  },
};

/** The `components.responses` key of an error status. */
export const errorResponseName = (status: number) => `Error${status}`;

/** Every error status's response, its codes read from statusForCode. */
function errorResponses(): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    [errorResponseName(401)]: {
      description: 'No bearer token, or an unknown, revoked or expired one (the original document’s bare body)',
      content: {
        'application/json': {
          schema: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
          example: { message: 'Unauthorized - No Bearer Token' },
        },
      },
    },
  };
  for (const [status, { summary, example }] of Object.entries(ERROR_EXAMPLES)) {
    const codes = ERROR_CODES.filter((code) => statusForCode[code] === Number(status));
    responses[errorResponseName(Number(status))] = {
      description: `${summary} (code ${codes.map((c) => `\`${c}\``).join(' or ')})`,
      content: {
        'application/json': {
          schema: { ...errorSchema, properties: { ...errorSchema.properties, code: { type: 'string', enum: codes } } },
          example: { success: false, ...example },
        },
      },
    };
  }
  return responses;
}

/** The document's `components`: the records, the error envelope, the error responses and the bearer scheme. */
export function components(): Record<string, unknown> {
  const records = Object.fromEntries(
    Object.entries(RESPONSE_SCHEMAS).map(([name, schema]) => [name, jsonSchemaOf(schema, 'output')]),
  );
  return {
    schemas: { ...records, Error: errorSchema },
    responses: errorResponses(),
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API token (`POST /api-tokens/generate`, the `kirim token` command, or KIRIM_ADMIN_TOKEN)',
      },
    },
  };
}
