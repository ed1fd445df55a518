import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { isKirimError, type FieldErrors } from '../errors.js';
import { freshRecord, ownedRecords, type RecordService } from '../records.js';
import type { Storage } from '../storage/storage.js';
import { parse, readPage, validationError, type Page } from '../validation.js';
import { knownPlaceholders } from './personalise.js';
import { templateErrors, templatePlaceholders } from './renderer.js';
import {
  createTemplateSchema,
  duplicateTemplateSchema,
  listTemplatesSchema,
  updateTemplateSchema,
  type CreateTemplateInput,
  type Template,
  type UpdateTemplateInput,
} from './template-schemas.js';

/**
 * Message templates: CRUD and duplicate. Content is checked at save time, not at send time: create and update
 * throw `validation` for bad fields, unknown placeholders and a media URL a send would refuse.
 */
export interface TemplateService extends RecordService<Template, CreateTemplateInput, UpdateTemplateInput> {
  /** A copy under `name`, by default "<name> (copy)"; throws `validation`, `not_found`. */
  duplicate(actor: Actor, id: string, input?: unknown): Promise<Template>;
}

/** Builds the {@link TemplateService}; `checkMediaUrl` is the send path's check of a media URL. */
export function createTemplateService(deps: {
  storage: Storage;
  clock: Clock;
  checkMediaUrl: (url: string) => Promise<void>;
}): TemplateService {
  const { storage, clock } = deps;

  const { get, remove } = ownedRecords(storage.templates, 'Template', clock);

  /**
   * Refuses malformed templates and unknown placeholders (a silent blank in a bulk send is worse than a
   * 422 now), media templates without a media URL, and a media URL a send would refuse. Known names:
   * contact fields and the extra columns the user's imports carried.
   */
  async function check(
    actor: Actor,
    t: Pick<Template, 'content' | 'caption' | 'message_type' | 'media_url'>,
  ): Promise<string[]> {
    const errors = templateErrors(
      { content: t.content, caption: t.caption },
      await knownPlaceholders(storage, actor.userId),
    );
    if (t.message_type !== 'text' && !t.media_url) errors.media_url = [`is required for ${t.message_type} templates`];
    if (t.media_url) Object.assign(errors, await mediaUrlErrors(t.media_url));
    if (Object.keys(errors).length > 0) throw validationError(errors);
    return [...new Set([...templatePlaceholders(t.content), ...(t.caption ? templatePlaceholders(t.caption) : [])])];
  }

  /** What the send path would refuse in `url`, as field errors (none when it passes). */
  async function mediaUrlErrors(url: string): Promise<FieldErrors> {
    try {
      await deps.checkMediaUrl(url);
      return {};
    } catch (error) {
      if (!isKirimError(error, 'validation')) throw error;
      return error.details ?? {};
    }
  }

  return {
    get,

    async create(actor: Actor, input: CreateTemplateInput): Promise<Template> {
      const data = parse(createTemplateSchema, input);
      const draft = { ...data, media_url: data.media_url ?? null, caption: data.caption ?? null };
      const placeholders = await check(actor, draft);
      return storage.templates.insert({
        ...freshRecord(clock.now().toISOString()),
        user_id: actor.userId,
        ...draft,
        placeholders,
      });
    },

    async list(actor: Actor, input: unknown = {}): Promise<Page<Template>> {
      const q = parse(listTemplatesSchema, input);
      const filter = { search: q.search || undefined, messageType: q.message_type, isActive: q.is_active };
      return readPage(q, (range) => storage.templates.list(actor.userId, filter, range));
    },

    async update(actor: Actor, id: string, input: UpdateTemplateInput): Promise<Template> {
      const data = parse(updateTemplateSchema, input);
      const current = await get(actor, id);
      const next = { ...current, ...data };
      const placeholders = await check(actor, next);
      return (
        (await storage.templates.update(actor.userId, id, {
          ...data,
          placeholders,
          updated_at: clock.now().toISOString(),
        })) ?? get(actor, id)
      );
    },

    remove,

    async duplicate(actor: Actor, id: string, input: unknown = {}): Promise<Template> {
      const { name } = parse(duplicateTemplateSchema, input);
      const source = await get(actor, id);
      return storage.templates.insert({
        ...source,
        ...freshRecord(clock.now().toISOString()),
        name: name ?? `${source.name} (copy)`,
      });
    },
  };
}
