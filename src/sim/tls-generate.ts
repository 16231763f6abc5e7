// @peculiar/x509 resolves its ASN.1 types through tsyringe, which needs the Reflect metadata API
// loaded before it.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  cryptoProvider,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';

/**
 * Makes the simulated API server's certificates as kubeadm lays out a cluster's PKI: a CA named
 * `kubernetes` (10 years) that signs a serving certificate `kube-apiserver` and the kubeconfig
 * user's client certificate `kubernetes-admin` (1 year each). Keys are ECDSA P-256 (milliseconds
 * to make, where RSA 2048 takes a good part of a second); Go's crypto/tls in kubectl and Node's TLS
 * in the official JavaScript client both accept them. Loaded only when a certificate has to be
 * made, so that a start that reuses them stays light.
 */
export interface Pem {
  cert: string;
  key: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;
/** As kubeadm does: a certificate made now is valid from a little before, for clocks a little behind. */
const BACKDATE = 5 * 60 * 1000;

export const CA_DAYS = 3650;
/** Serving and client certificates, as kubeadm's. */
export const LEAF_DAYS = 365;

cryptoProvider.set(webcrypto);

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importPrivateKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

const certPem = (cert: { toString(format: 'pem'): string }) => `${cert.toString('pem').trim()}\n`;

export async function generateCa(now = new Date()): Promise<Pem> {
  const keys = await keyPair();
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: 'CN=kubernetes',
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(
        KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment | KeyUsageFlags.keyCertSign,
        true,
      ),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: certPem(cert), key: await privateKeyPem(keys.privateKey) };
}

/** A certificate that the CA signs for a key made here: the API server's (serving) or a user's (client). */
async function generateSigned(
  ca: Pem,
  subject: string,
  usage: ExtendedKeyUsage,
  extensions: Extension[],
  now: Date,
): Promise<Pem> {
  const issuer = new X509Certificate(ca.cert);
  const keys = await keyPair();
  const cert = await X509CertificateGenerator.create({
    subject,
    issuer: issuer.subject,
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter: new Date(now.getTime() + LEAF_DAYS * DAY),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(ca.key),
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
      new ExtendedKeyUsageExtension([usage]),
      await AuthorityKeyIdentifierExtension.create(issuer.publicKey),
      ...extensions,
    ],
  });
  return { cert: certPem(cert), key: await privateKeyPem(keys.privateKey) };
}

export function generateServing(
  ca: Pem,
  names: { dns: string[]; ips: string[] },
  now = new Date(),
): Promise<Pem> {
  const san = new SubjectAlternativeNameExtension([
    ...names.dns.map((value) => ({ type: 'dns' as const, value })),
    ...names.ips.map((value) => ({ type: 'ip' as const, value })),
  ]);
  return generateSigned(ca, 'CN=kube-apiserver', ExtendedKeyUsage.serverAuth, [san], now);
}

/**
 * The user of the kubeconfig: `kubernetes-admin` in `system:masters`, the group no RBAC binding
 * can take away, as kubeadm's super-admin.conf (and kind's admin kubeconfig before 1.29).
 */
export function generateAdmin(ca: Pem, now = new Date()): Promise<Pem> {
  return generateSigned(ca, 'O=system:masters, CN=kubernetes-admin', ExtendedKeyUsage.clientAuth, [], now);
}
