import type { Actor } from '../actor.js';
import { toUserJid } from '../contacts/phone.js';
import { isKirimError, KirimError, notFound, type FieldErrors } from '../errors.js';
import { liveConnection } from '../sessions/live-connection.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { Storage } from '../storage/storage.js';
import type { GroupActions, GroupMetadata, ParticipantAction, ParticipantStatus } from '../transport/transport.js';
import { iqErrorCode } from '../transport/iq-error.js';
import { parse, validationError } from '../validation.js';
import {
  createGroupSchema,
  groupIdSchema,
  groupParticipantsSchema,
  updateGroupSchema,
  type CreateGroupInput,
  type GroupInviteLink,
  type GroupParticipantResult,
  type GroupParticipantsInput,
  type GroupView,
  type ParticipantResult,
  type UpdateGroupInput,
} from './group-schemas.js';

/** Groups run live through a linked session: create, read, change, members, invite link, leave. */
export interface GroupService {
  /** Creates a group with the session's account as super-admin; a result per participant. */
  create(
    actor: Actor,
    sessionId: string,
    input: CreateGroupInput,
  ): Promise<{ group_id: string; subject: string; participants: GroupParticipantResult[] }>;
  /** The group's metadata as WhatsApp has it now. */
  get(actor: Actor, sessionId: string, groupId: string): Promise<GroupView>;
  /** Changes its subject, description or settings; answers the metadata after. */
  update(actor: Actor, sessionId: string, groupId: string, input: UpdateGroupInput): Promise<GroupView>;
  /** Adds, removes, promotes or demotes members; a result per participant. */
  participants(
    actor: Actor,
    sessionId: string,
    groupId: string,
    input: GroupParticipantsInput,
  ): Promise<{ group_id: string; action: ParticipantAction; participants: GroupParticipantResult[] }>;
  /** The group's invite link. */
  inviteLink(actor: Actor, sessionId: string, groupId: string): Promise<GroupInviteLink>;
  /** Revokes the invite link; answers the new one. */
  revokeInviteLink(actor: Actor, sessionId: string, groupId: string): Promise<GroupInviteLink>;
  /** The session's account leaves the group. */
  leave(actor: Actor, sessionId: string, groupId: string): Promise<{ group_id: string; left: true }>;
}

/** Creates the group service. */
export function createGroupService(deps: {
  storage: Storage;
  manager: SessionManager;
  defaultCountryCode: string;
}): GroupService {
  const createSchema = createGroupSchema(deps.defaultCountryCode);
  const participantsSchema = groupParticipantsSchema(deps.defaultCountryCode);
  const session = (actor: Actor, sessionId: string) => liveConnection(deps, actor, sessionId);
  // The group and the body are validated before the session is looked up, so bad input is a 422 whatever the
  // session's state, naming every bad field of both.
  const inGroup = async <B, T>(
    actor: Actor,
    sessionId: string,
    groupId: string,
    body: () => B,
    run: (groups: GroupActions, group: string, body: B) => Promise<T>,
  ): Promise<T> => {
    const [{ groupId: group }, data] = parseBoth(() => parse(groupIdSchema, { groupId }), body);
    const { groups } = await session(actor, sessionId);
    return refusedAsKirimError(() => run(groups, group, data));
  };
  const noBody = () => undefined;
  const inviteLink = (group: string, code: string): GroupInviteLink => ({
    group_id: group,
    invite_code: code,
    invite_link: `https://chat.whatsapp.com/${code}`,
  });

  return {
    async create(actor, sessionId, input) {
      const { subject, participants } = parse(createSchema, input);
      const phones = [...new Set(participants)];
      const { groups } = await session(actor, sessionId);
      return refusedAsKirimError(async () => {
        const created = await groups.create(subject, phones.map(toUserJid));
        const members = new Set(created.participants.map((p) => p.phone));
        // WhatsApp creates the group with whom it could add; adding the others again gives its reason for each.
        const missing = phones.filter((phone) => !members.has(phone));
        const statuses =
          missing.length > 0 ? await groups.updateParticipants(created.jid, 'add', missing.map(toUserJid)) : [];
        const results = new Map(resultsOf('add', missing, statuses).map((r) => [r.phone, r.result]));
        return {
          group_id: created.jid,
          subject: created.subject,
          participants: phones.map((phone) => ({ phone, result: results.get(phone) ?? 'ok' })),
        };
      });
    },

    get: (actor, sessionId, groupId) =>
      inGroup(actor, sessionId, groupId, noBody, async (groups, group) => viewOf(await groups.metadata(group))),

    update: (actor, sessionId, groupId, input) =>
      inGroup(
        actor,
        sessionId,
        groupId,
        () => parse(updateGroupSchema, input),
        async (groups, group, change) => {
          await groups.update(group, {
            subject: change.subject,
            description: change.description === undefined ? undefined : change.description || null,
            announceOnly: change.announce_only,
            locked: change.locked,
          });
          return viewOf(await groups.metadata(group));
        },
      ),

    participants: (actor, sessionId, groupId, input) =>
      inGroup(
        actor,
        sessionId,
        groupId,
        () => parse(participantsSchema, input),
        async (groups, group, body) => {
          const phones = [...new Set(body.participants)];
          const statuses = await groups.updateParticipants(group, body.action, phones.map(toUserJid));
          return { group_id: group, action: body.action, participants: resultsOf(body.action, phones, statuses) };
        },
      ),

    inviteLink: (actor, sessionId, groupId) =>
      inGroup(actor, sessionId, groupId, noBody, async (groups, group) =>
        inviteLink(group, await groups.inviteCode(group)),
      ),

    revokeInviteLink: (actor, sessionId, groupId) =>
      inGroup(actor, sessionId, groupId, noBody, async (groups, group) =>
        inviteLink(group, await groups.revokeInvite(group)),
      ),

    leave: (actor, sessionId, groupId) =>
      inGroup(actor, sessionId, groupId, noBody, async (groups, group) => {
        await groups.leave(group);
        return { group_id: group, left: true as const };
      }),
  };
}

/** Runs both parses, throwing one `validation` error that names the bad fields of either or both. */
function parseBoth<A, B>(first: () => A, second: () => B): [A, B] {
  const details: FieldErrors = {};
  const attempt = <T>(run: () => T): T | undefined => {
    try {
      return run();
    } catch (error) {
      if (!isKirimError(error, 'validation')) throw error;
      Object.assign(details, error.details);
      return undefined;
    }
  };
  const results = [attempt(first), attempt(second)] as [A, B];
  if (Object.keys(details).length > 0) throw validationError(details);
  return results;
}

/** WhatsApp's per-participant status codes, for every action; a 404 depends on the action. */
const RESULT_BY_STATUS: Record<number, ParticipantResult> = {
  200: 'ok',
  401: 'not_authorized',
  403: 'not_authorized',
  408: 'recently_left',
  409: 'already_member',
  500: 'group_full',
};

/** Each phone's result, from WhatsApp's answer for its JID (matched by number, else by position). */
function resultsOf(
  action: ParticipantAction,
  phones: string[],
  statuses: ParticipantStatus[],
): GroupParticipantResult[] {
  return phones.map((phone, index) => {
    const status = statuses.find((s) => s.jid.split('@')[0]!.split(':')[0] === phone) ?? statuses[index];
    if (!status) return { phone, result: 'failed' };
    // Adding someone WhatsApp does not know is a 404, as is acting on someone who is not in the group.
    if (status.status === 404) return { phone, result: action === 'add' ? 'not_on_whatsapp' : 'not_member' };
    return { phone, result: RESULT_BY_STATUS[status.status] ?? 'failed' };
  });
}

function viewOf(group: GroupMetadata): GroupView {
  return {
    group_id: group.jid,
    subject: group.subject,
    description: group.description,
    owner: group.owner,
    participants: group.participants.map(({ jid, phone, lid, role }) => ({ jid, phone, lid, role })),
    announce_only: group.announceOnly,
    locked: group.locked,
    created_at: group.createdAt ? group.createdAt.toISOString() : null,
  };
}

/**
 * WhatsApp's refusals of a group query (an IQ error, thrown by Baileys as a Boom with its code as `data`) as
 * KirimErrors: 404 no such group, 401/403 the session is not a member or not an admin.
 */
async function refusedAsKirimError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const code = iqErrorCode(error);
    if (code === 404) throw notFound('Group');
    if (code === 401 || code === 403)
      throw new KirimError('forbidden', 'WhatsApp refused: the session is not a member of this group, or not an admin');
    throw error;
  }
}
