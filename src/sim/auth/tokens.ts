import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../files/atomic.js';

/**
 * ServiceAccount tokens: JWTs signed with the cluster's service account key, kept beside the CA as
 * kubeadm keeps /etc/kubernetes/pki/sa.key, so that tokens stay valid across restarts. ES256, as
 * the API server signs with an ECDSA key. Two shapes, as in Kubernetes: the legacy token a Secret
 * holds (no expiry, valid while its Secret and ServiceAccount are there) and the bound token of a
 * TokenRequest (`kubectl create token`), which expires.
 */
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function serviceAccountKey(dir: string): SigningKey {
  const file = join(dir, 'sa.key');
  try {
    const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
    if (privateKey.asymmetricKeyType === 'ec') return { privateKey, publicKey: createPublicKey(privateKey) };
  } catch {
    // made below
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileAtomicSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  return { privateKey, publicKey };
}

/** An in-memory key, for a store that runs without a folder (tests of controllers alone). */
export function ephemeralKey(): SigningKey {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export type Claims = Record<string, unknown>;

export function signToken(key: SigningKey, claims: Claims): string {
  const kid = base64url(Buffer.from(key.publicKey.export({ type: 'spki', format: 'der' })).subarray(0, 32));
  const header = base64url(JSON.stringify({ alg: 'ES256', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${header}.${payload}.${base64url(signature)}`;
}

/** The claims of a token this key signed, or undefined for anything else. */
export function verifyToken(key: SigningKey, token: string): Claims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const ok = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!ok) return undefined;
    if (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).alg !== 'ES256') return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

export const serviceAccountUser = (namespace: string, name: string) =>
  `system:serviceaccount:${namespace}:${name}`;

export function legacyClaims(namespace: string, account: string, uid: string, secret: string): Claims {
  return {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': namespace,
    'kubernetes.io/serviceaccount/secret.name': secret,
    'kubernetes.io/serviceaccount/service-account.name': account,
    'kubernetes.io/serviceaccount/service-account.uid': uid,
    sub: serviceAccountUser(namespace, account),
  };
}
