import { Curve, proto, WA_CERT_DETAILS } from 'baileys';
import type { KeyPair } from 'baileys';

/** The certificate chain a stand-in server presents in its Noise `serverHello`. */
export interface ServerCertificate {
  /** The encoded `CertChain` (intermediate signed by the root, leaf signed by the intermediate). */
  chain: Buffer;
  /** The public key of the test root that signed the intermediate. */
  rootPublicKey: Buffer;
}

const ONE_YEAR_S = 365 * 24 * 3600;

/**
 * The test root: one per process, so every simulator in it presents chains from the same root and
 * {@link trustWaSimRoot} needs to run only once.
 */
const testRoot: KeyPair = Curve.generateKeyPair();

/**
 * Builds a certificate chain for a server static key, signed by this process's test root.
 *
 * Baileys requires the intermediate's `issuerSerial` to equal `WA_CERT_DETAILS.SERIAL` and checks the
 * intermediate's signature against `WA_CERT_DETAILS.PUBLIC_KEY`. In 7.0.0-rc14 that check never
 * fails (its `Curve.verify` wrapper returns true unless libsignal throws on malformed input), so the
 * chain is accepted as is; {@link trustWaSimRoot} keeps it accepted should that be fixed.
 */
export function issueServerCertificate(serverStaticKey: KeyPair): ServerCertificate {
  const now = Math.floor(Date.now() / 1000);
  const intermediateKey = Curve.generateKeyPair();
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 1,
    issuerSerial: WA_CERT_DETAILS.SERIAL,
    key: intermediateKey.public,
    notBefore: now - 60,
    notAfter: now + ONE_YEAR_S,
  }).finish();
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: serverStaticKey.public,
    notBefore: now - 60,
    notAfter: now + ONE_YEAR_S,
  }).finish();
  const chain = proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: Curve.sign(testRoot.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediateKey.private, leafDetails) },
  }).finish();
  return { chain: Buffer.from(chain), rootPublicKey: Buffer.from(testRoot.public) };
}

/**
 * Makes Baileys (in this process) trust the simulator's test root instead of WhatsApp's, by assigning
 * it to Baileys' exported, mutable `WA_CERT_DETAILS.PUBLIC_KEY`. Not needed with 7.0.0-rc14; for tests
 * only: never call it in a process that talks to the real WhatsApp.
 */
export function trustWaSimRoot(): void {
  (WA_CERT_DETAILS as { PUBLIC_KEY: Buffer }).PUBLIC_KEY = Buffer.from(testRoot.public);
}
