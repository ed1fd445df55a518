export { startWaSim } from './wa-sim.js';
export type { WaSim, WaSimOptions } from './wa-sim.js';
export { SimPhone } from './sim-phone.js';
export type {
  PhoneEncryption,
  PhoneMessage,
  PhoneSendOptions,
  PhoneSentMessage,
  PhoneSentStatus,
  ReceiptPolicy,
  SimPhoneOptions,
} from './sim-phone.js';
export { SimGroup } from './sim-group.js';
export { PhoneProfile } from './phone-profile.js';
export type { PhoneProfileSettings, SimBusinessProfile } from './phone-profile.js';
export {
  editMessage,
  phoneVcard,
  react,
  revokeMessage,
  sendContacts,
  sendLocation,
  sendPoll,
  votePoll,
} from './phone-sends.js';
export type { PhoneContactCard, PhoneLocation, PhonePoll, PhoneVoteOptions } from './phone-sends.js';
export { placeCall } from './phone-calls.js';
export { leaveGroup, renameGroup } from './phone-groups.js';
export type { PhoneCall } from './phone-calls.js';
export type { PhoneAvailability, PhoneChatState } from './phone-presence.js';
export { encryptPollVote } from './poll-vote-encryption.js';
export type { PollVoteKeys } from './poll-vote-encryption.js';
export { decodeMessage, downloadMedia } from './decoded-message.js';
export { MediaHost } from './media-host.js';
export type { HostedMedia } from './media-host.js';
export { uploadPhoneMedia } from './phone-media.js';
export type { PhoneMedia } from './phone-media.js';
export type { DecodedMessage, NamedKey } from './decoded-message.js';
export type { AddressingMode, SimGroupMember } from './sim-group.js';
export type { LinkedDevice } from './linked-device.js';
export type { LinkResult } from './pairing.js';
export type { SimLogger } from './sim-network.js';
export { silenceLibsignalConsole } from './silence-libsignal.js';
export { trustWaSimRoot } from './server-certificate.js';
