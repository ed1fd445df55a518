/**
 * `@kirim/core/schemas`: the zod schemas of what the API takes and answers, for documentation (the HTTP
 * adapter's OpenAPI document). Schemas built for a default country code are built here with the engine's default.
 */
import { z } from 'zod';
import {
  createUserSchema,
  generateTokenSchema,
  listTokensSchema,
  revokeTokenSchema,
  updateUserSchema,
} from './accounts/account-schemas.js';
import { createAnnouncementSchema, updateAnnouncementSchema } from './announcements/announcement-schemas.js';
import { bulkStatusSchema } from './bulk/bulk-schemas.js';
import {
  createContactGroupSchema,
  groupMembersSchema,
  listContactGroupsSchema,
  personalizedPreviewSchema,
  updateContactGroupSchema,
} from './contact-groups/contact-group-schemas.js';
import {
  bulkDeleteContactsSchema,
  createContactSchema,
  importContactsSchema,
  listContactsSchema,
  updateContactSchema,
} from './contacts/contact-schemas.js';
import { DEFAULT_COUNTRY_CODE, phoneSchema } from './contacts/phone.js';
import {
  bulkLeadStatusSchema,
  createLeadSchema,
  importLeadsSchema,
  listLeadsSchema,
  syncLeadStatusSchema,
  updateLeadSchema,
} from './leads/lead-schemas.js';
import { listLeadTasksSchema, scrapeLeadsSchema } from './leads/lead-task-schemas.js';
import { messageActionSchemas } from './messages/message-action-schemas.js';
import { listMessagesSchema } from './messages/message-schemas.js';
import { bulkMediaSchema, bulkTextSchema, sendSchemas } from './outbox/outbox-schemas.js';
import { sessionSettingsSchema } from './sessions/session-settings.js';
import { createPoolSchema, poolMembersSchema, updatePoolSchema } from './pools/pool-schemas.js';
import {
  createSessionSchema,
  pairingCodeSchema,
  presenceSchema,
  presenceSubscriptionSchema,
} from './sessions/session-schemas.js';
import { createGroupSchema, groupParticipantsSchema, updateGroupSchema } from './whatsapp-groups/group-schemas.js';
import { checkNumbersSchema, ownProfileSchema } from './sessions/profile-schemas.js';
import {
  createTemplateSchema,
  duplicateTemplateSchema,
  listTemplatesSchema,
  updateTemplateSchema,
} from './templates/template-schemas.js';
import { pageSchema } from './validation.js';
import { createWebhookSchema } from './webhooks/webhook-schemas.js';
import { sessionDeviceSchema } from './whatsapp-groups/whatsapp-group-schemas.js';

export { ERROR_CODES } from './errors.js';
export { apiTokenViewSchema, generatedTokenSchema, userSchema } from './accounts/account-response-schemas.js';
export { announcementSchema } from './announcements/announcement-response-schemas.js';
export { bulkJobStatusViewSchema, bulkJobViewSchema } from './bulk/bulk-response-schemas.js';
export {
  contactGroupSchema,
  groupContactsAddedSchema,
  groupContactsRemovedSchema,
  personalizedPreviewResultSchema,
} from './contact-groups/contact-group-response-schemas.js';
export {
  bulkDeleteContactsResultSchema,
  contactImportReportSchema,
  contactSchema,
  contactStatisticsSchema,
} from './contacts/contact-response-schemas.js';
export {
  bulkLeadStatusResultSchema,
  leadImportReportSchema,
  leadSchema,
  leadSourceStatusSchema,
  leadStatisticsSchema,
  leadTaskDetailSchema,
  leadTaskViewSchema,
  syncLeadStatusResultSchema,
} from './leads/lead-response-schemas.js';
export { messageMediaSchema, messageViewSchema } from './messages/message-response-schemas.js';
export { storedCopyRemovedSchema } from './messages/message-action-response-schemas.js';
export { scheduledViewSchema, sendResultSchema } from './outbox/outbox-response-schemas.js';
export { poolViewSchema } from './pools/pool-response-schemas.js';
export {
  groupSyncResultSchema,
  liveGroupSchema,
  pairingCodeResultSchema,
  sessionContactSchema,
  sessionStatusViewSchema,
  sessionViewSchema,
  whatsappGroupSchema,
} from './sessions/session-response-schemas.js';
export { engineStatusSchema } from './status/status-response-schemas.js';
export { templateSchema } from './templates/template-response-schemas.js';
export { webhookDeliveryViewSchema, webhookViewSchema } from './webhooks/webhook-response-schemas.js';

/** What each request takes (body or query), as core validates it, built for the default country code. */
export const requestSchemas = {
  createUser: createUserSchema,
  updateUser: updateUserSchema,
  generateToken: generateTokenSchema,
  listTokens: listTokensSchema,
  revokeToken: revokeTokenSchema,
  createAnnouncement: createAnnouncementSchema,
  updateAnnouncement: updateAnnouncementSchema,
  page: pageSchema,
  createContact: createContactSchema(DEFAULT_COUNTRY_CODE),
  updateContact: updateContactSchema(DEFAULT_COUNTRY_CODE),
  listContacts: listContactsSchema,
  bulkDeleteContacts: bulkDeleteContactsSchema,
  importContacts: importContactsSchema,
  createContactGroup: createContactGroupSchema,
  updateContactGroup: updateContactGroupSchema,
  listContactGroups: listContactGroupsSchema,
  groupMembers: groupMembersSchema,
  personalizedPreview: personalizedPreviewSchema,
  createTemplate: createTemplateSchema,
  updateTemplate: updateTemplateSchema,
  listTemplates: listTemplatesSchema,
  duplicateTemplate: duplicateTemplateSchema,
  createSession: createSessionSchema,
  pairingCode: pairingCodeSchema(phoneSchema(DEFAULT_COUNTRY_CODE)),
  presence: presenceSchema(phoneSchema(DEFAULT_COUNTRY_CODE)),
  presenceSubscription: presenceSubscriptionSchema(phoneSchema(DEFAULT_COUNTRY_CODE)),
  createGroup: createGroupSchema(DEFAULT_COUNTRY_CODE),
  updateGroup: updateGroupSchema,
  groupParticipants: groupParticipantsSchema(DEFAULT_COUNTRY_CODE),
  checkNumbers: checkNumbersSchema(phoneSchema(DEFAULT_COUNTRY_CODE)),
  ownProfile: ownProfileSchema,
  sessionSettings: sessionSettingsSchema,
  listMessages: listMessagesSchema(DEFAULT_COUNTRY_CODE),
  sessionDevice: sessionDeviceSchema,
  ...sendSchemas(DEFAULT_COUNTRY_CODE),
  ...messageActionSchemas(DEFAULT_COUNTRY_CODE),
  bulkText: bulkTextSchema,
  bulkMedia: bulkMediaSchema,
  bulkStatus: bulkStatusSchema,
  createPool: createPoolSchema,
  updatePool: updatePoolSchema,
  poolMembers: poolMembersSchema,
  listLeads: listLeadsSchema,
  createLead: createLeadSchema(DEFAULT_COUNTRY_CODE),
  updateLead: updateLeadSchema(DEFAULT_COUNTRY_CODE),
  importLeads: importLeadsSchema,
  bulkLeadStatus: bulkLeadStatusSchema,
  syncLeadStatus: syncLeadStatusSchema,
  scrapeLeads: scrapeLeadsSchema,
  listLeadTasks: listLeadTasksSchema,
  createWebhook: createWebhookSchema,
};

/** A JSON Schema (draft 2020-12) object. */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) of `schema`: of what it accepts (`input`, the default:
 * defaults optional, unknown keys allowed unless strict) or of what it produces (`output`: every key as answered,
 * no other). A date field is documented as the ISO-8601 text the wire carries.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === 'date') {
        jsonSchema.type = 'string';
        jsonSchema.description ??= 'An ISO-8601 timestamp (with or without offset) or a plain date (YYYY-MM-DD)';
      }
    },
  }) as JsonSchema;
  return json;
}
