import type { AuthenticationCreds, AuthenticationState, SignalDataSet, SignalDataTypeMap } from 'baileys';
import type { AuthStore } from '../transport.js';
import type { BaileysModule } from './baileys-module.js';

/** Where the credentials live in the {@link AuthStore}: one row, written whole on every change. */
const CREDS_KIND = 'creds';
const CREDS_ID = 'creds';

/** A Baileys auth state kept in an {@link AuthStore}, and the way to persist its credentials. */
export interface StoredAuthState {
  state: AuthenticationState;
  /** Writes the whole credentials object (Baileys mutates it in place; partial updates would lose fields). */
  saveCreds(): Promise<void>;
  /** Resolves once every write started so far has finished. */
  flushed(): Promise<void>;
  /**
   * Drops every later write. Called before the store is cleared after a logout: Baileys may still
   * write keys or credentials while its socket winds down, and they must not outlive the wipe.
   */
  freeze(): void;
}

/**
 * Builds Baileys' `AuthenticationState` over an {@link AuthStore}: credentials and Signal keys as
 * JSON text (Buffers through `BufferJSON`), each key write one `AuthStore.set` transaction.
 *
 * Credentials of a device that never finished linking (no `account`) are discarded for fresh ones:
 * an abandoned pairing-code request leaves `creds.me` set, and Baileys would then try to log in with
 * it and be refused as logged out, instead of showing a QR code.
 */
export async function loadAuthState(baileys: BaileysModule, store: AuthStore): Promise<StoredAuthState> {
  const { BufferJSON, initAuthCreds, proto } = baileys;
  const encode = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
  const decode = <T>(text: string): T => JSON.parse(text, BufferJSON.reviver) as T;

  const stored = (await store.get(CREDS_KIND, [CREDS_ID]))[CREDS_ID];
  const storedCreds = stored ? decode<AuthenticationCreds>(stored) : undefined;
  const creds: AuthenticationCreds = storedCreds?.account ? storedCreds : initAuthCreds();

  // Writes are chained so they reach the store in the order Baileys made them.
  let writes: Promise<void> = Promise.resolve();
  let frozen = false;
  const enqueue = (write: () => Promise<void>): Promise<void> => {
    if (frozen) return Promise.resolve();
    const next = writes.then(() => (frozen ? undefined : write()));
    writes = next.catch(() => {});
    return next;
  };

  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const rows = await store.get(type, ids);
        const found: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const [id, text] of Object.entries(rows)) {
          let value = decode<SignalDataTypeMap[T]>(text);
          // Protobuf messages do not survive JSON: rebuild the one key type Baileys uses as a message.
          if (type === 'app-state-sync-key' && value) {
            value = proto.Message.AppStateSyncKeyData.fromObject(value as object) as unknown as SignalDataTypeMap[T];
          }
          found[id] = value;
        }
        return found;
      },
      set(data: SignalDataSet) {
        const entries: Record<string, Record<string, string | null>> = {};
        for (const [type, values] of Object.entries(data)) {
          const rows: Record<string, string | null> = {};
          for (const [id, value] of Object.entries(values ?? {}))
            rows[id] = value === null || value === undefined ? null : encode(value);
          entries[type] = rows;
        }
        return enqueue(() => store.set(entries));
      },
    },
  };

  return {
    state,
    saveCreds: () => enqueue(() => store.set({ [CREDS_KIND]: { [CREDS_ID]: encode(creds) } })),
    flushed: () => writes,
    freeze: () => {
      frozen = true;
    },
  };
}
