import { aesDecryptGCM, aesEncryptGCM, Curve, hkdf, NOISE_MODE, NOISE_WA_HEADER, proto, sha256 } from 'baileys';
import type { KeyPair } from 'baileys';
import type { ServerCertificate } from './server-certificate.js';

const IV_LENGTH = 12;
const EMPTY = Buffer.alloc(0);

/** The 12-byte GCM nonce WhatsApp uses: a big-endian counter in the last four bytes. */
function nonce(counter: number): Buffer {
  const iv = Buffer.alloc(IV_LENGTH);
  iv.writeUInt32BE(counter, 8);
  return iv;
}

/** The keys and counters of an established Noise session, one direction each. */
class TransportCipher {
  private readCounter = 0;
  private writeCounter = 0;

  constructor(
    private readonly encryptKey: Uint8Array,
    private readonly decryptKey: Uint8Array,
  ) {}

  encrypt(plaintext: Uint8Array): Buffer {
    return aesEncryptGCM(plaintext, this.encryptKey, nonce(this.writeCounter++), EMPTY);
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    return aesDecryptGCM(ciphertext, this.decryptKey, nonce(this.readCounter++), EMPTY);
  }
}

/** What the server learns from a completed handshake. */
export interface HandshakeResult {
  /** The client's static Noise public key (Baileys' `creds.noiseKey.public`): identifies a linked device. */
  clientStaticKey: Buffer;
  payload: proto.ClientPayload;
}

/**
 * The responder ("server") side of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake.
 *
 * Every step mirrors Baileys' initiator in `Utils/noise-handler.js` in the opposite direction: the two
 * sides must hash and mix exactly the same bytes in the same order, or the first GCM tag fails.
 */
export class NoiseResponder {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private transport: TransportCipher | null = null;
  private readonly ephemeral: KeyPair = Curve.generateKeyPair();
  private clientEphemeral: Uint8Array | null = null;

  constructor(
    private readonly staticKey: KeyPair,
    private readonly certificate: ServerCertificate,
  ) {
    const mode = Buffer.from(NOISE_MODE);
    // NOISE_MODE is exactly 32 bytes, so it is used as the initial hash as is (the Noise rule).
    this.hash = mode.byteLength === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
    this.authenticate(NOISE_WA_HEADER);
  }

  get established(): boolean {
    return this.transport !== null;
  }

  /** Answers the client's hello: returns the encoded `HandshakeMessage` holding our `serverHello`. */
  respondToHello(helloFrame: Uint8Array): Buffer {
    const hello = proto.HandshakeMessage.decode(helloFrame).clientHello;
    if (!hello?.ephemeral) throw new Error('handshake: client hello without an ephemeral key');
    this.clientEphemeral = hello.ephemeral;
    this.authenticate(hello.ephemeral);

    this.authenticate(this.ephemeral.public);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, hello.ephemeral));
    const encryptedStatic = this.encrypt(this.staticKey.public);
    this.mixIntoKey(Curve.sharedKey(this.staticKey.private, hello.ephemeral));
    const encryptedCertificate = this.encrypt(this.certificate.chain);

    return Buffer.from(
      proto.HandshakeMessage.encode({
        serverHello: { ephemeral: this.ephemeral.public, static: encryptedStatic, payload: encryptedCertificate },
      }).finish(),
    );
  }

  /** Reads the client's finish message and switches to transport keys. */
  finish(finishFrame: Uint8Array): HandshakeResult {
    if (!this.clientEphemeral) throw new Error('handshake: finish before hello');
    const finish = proto.HandshakeMessage.decode(finishFrame).clientFinish;
    if (!finish?.static || !finish.payload) throw new Error('handshake: incomplete client finish');

    const clientStaticKey = this.decrypt(finish.static);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, clientStaticKey));
    const payload = proto.ClientPayload.decode(this.decrypt(finish.payload));

    // The initiator writes with the first half of the final HKDF output and reads with the second.
    const [clientWrite, clientRead] = this.expand(EMPTY);
    this.transport = new TransportCipher(clientRead, clientWrite);
    return { clientStaticKey, payload };
  }

  /** Encrypts one binary-node frame for the wire (transport phase only). */
  seal(plaintext: Uint8Array): Buffer {
    if (!this.transport) throw new Error('noise: transport keys not established');
    return this.transport.encrypt(plaintext);
  }

  /** Decrypts one frame from the wire (transport phase only). */
  open(ciphertext: Uint8Array): Buffer {
    if (!this.transport) throw new Error('noise: transport keys not established');
    return this.transport.decrypt(ciphertext);
  }

  private authenticate(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const ciphertext = aesEncryptGCM(plaintext, this.key, nonce(this.counter++), this.hash);
    this.authenticate(ciphertext);
    return ciphertext;
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const plaintext = aesDecryptGCM(ciphertext, this.key, nonce(this.counter++), this.hash);
    this.authenticate(ciphertext);
    return plaintext;
  }

  private mixIntoKey(material: Uint8Array): void {
    const [write, read] = this.expand(material);
    this.salt = write;
    this.key = read;
    this.counter = 0;
  }

  private expand(material: Uint8Array): [Buffer, Buffer] {
    const out = Buffer.from(hkdf(Buffer.from(material), 64, { salt: this.salt, info: '' }));
    return [out.subarray(0, 32), out.subarray(32)];
  }
}
