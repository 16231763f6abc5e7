import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ApiError } from '../../kube/errors.js';
import { own } from '../../kube/own.js';
import type { UserInfo } from '../../kube/rbac/rules.js';
import type { Store } from '../store.js';
import {
  type Claims,
  ISSUER,
  LEGACY_ISSUER,
  type SigningKey,
  serviceAccountUser,
  verifyToken,
} from './tokens.js';

/**
 * Who sent a request, as the API server's authenticators say it: a client certificate its CA
 * signed (user = CN, groups = O), a ServiceAccount's bearer token, or no credentials at all
 * (system:anonymous, as a cluster with anonymous auth on, kind's default). A credential that does
 * not check out is a 401, never anonymous.
 */
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

const AUTHENTICATED = 'system:authenticated';

export function authenticate(
  req: IncomingMessage,
  auth: { store: Store; key: SigningKey; ca?: X509Certificate },
): UserInfo {
  const { store, key } = auth;
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized();
    const user = tokenUser(match[1]!, store, key);
    if (!user) throw unauthorized();
    return user;
  }
  const socket = req.socket as TLSSocket;
  const certificate =
    typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  if (certificate && Object.keys(certificate).length > 0) {
    // A certificate the CA did not sign (or one expired) is refused, as x509 verification refuses it.
    if (!auth.ca || !signedBy(socket, certificate.raw, auth.ca)) throw unauthorized();
    const subject = certificate.subject ?? {};
    const cn = own(subject, 'CN');
    const o = own(subject, 'O');
    const username = Array.isArray(cn) ? cn[0] : cn;
    if (typeof username !== 'string' || username === '') throw unauthorized();
    const organizations: string[] = Array.isArray(o) ? o : typeof o === 'string' ? [o] : [];
    return { username, groups: [...organizations, AUTHENTICATED] };
  }
  return ANONYMOUS;
}

/** Whether the client's certificate is the CA's, for client use, and valid now; once per connection. */
const verified = new WeakMap<TLSSocket, boolean>();

function signedBy(socket: TLSSocket, raw: Buffer, ca: X509Certificate): boolean {
  const known = verified.get(socket);
  if (known !== undefined) return known;
  let ok = false;
  try {
    const cert = new X509Certificate(raw);
    const now = Date.now();
    ok =
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      Date.parse(cert.validFrom) <= now &&
      now <= Date.parse(cert.validTo) &&
      (cert.keyUsage === undefined || cert.keyUsage.includes('1.3.6.1.5.5.7.3.2'));
  } catch {
    ok = false;
  }
  verified.set(socket, ok);
  return ok;
}

const text = (claims: Claims, key: string): string => {
  const value = own(claims, key);
  return typeof value === 'string' ? value : '';
};

/** The ServiceAccount a token this cluster signed stands for, if the token is still good. */
export function tokenUser(token: string, store: Store, key: SigningKey): UserInfo | undefined {
  const claims = verifyToken(key, token);
  if (!claims) return undefined;
  let namespace: string;
  let name: string;
  let uid: string;
  const extra: Record<string, string[]> = {};
  if (own(claims, 'iss') === LEGACY_ISSUER) {
    namespace = text(claims, 'kubernetes.io/serviceaccount/namespace');
    name = text(claims, 'kubernetes.io/serviceaccount/service-account.name');
    uid = text(claims, 'kubernetes.io/serviceaccount/service-account.uid');
    const secretName = text(claims, 'kubernetes.io/serviceaccount/secret.name');
    // A Secret-based token lives as long as its Secret holds it.
    const secret = store.get('Secret', namespace, secretName);
    if (!secret || secret.metadata.deletionTimestamp) return undefined;
    const held = own(secret.data, 'token');
    if (typeof held !== 'string' || Buffer.from(held, 'base64').toString('utf8') !== token) return undefined;
  } else if (own(claims, 'iss') === ISSUER) {
    const now = Date.now() / 1000;
    const exp = own(claims, 'exp');
    const nbf = own(claims, 'nbf');
    if (typeof exp !== 'number' || exp < now) return undefined;
    if (typeof nbf === 'number' && nbf > now + 60) return undefined;
    // A token for another audience is not one for the API server.
    const aud = own(claims, 'aud');
    if (!(Array.isArray(aud) ? aud : [aud]).includes(ISSUER)) return undefined;
    const k8s = own(claims, 'kubernetes.io');
    namespace = typeof own(k8s, 'namespace') === 'string' ? own(k8s, 'namespace') : '';
    const account = own(k8s, 'serviceaccount');
    name = typeof own(account, 'name') === 'string' ? own(account, 'name') : '';
    uid = typeof own(account, 'uid') === 'string' ? own(account, 'uid') : '';
    // A token bound to a Secret or a Pod ends with it.
    for (const kind of ['secret', 'pod'] as const) {
      const bound = own(k8s, kind);
      if (bound === undefined) continue;
      const object = store.get(kind === 'secret' ? 'Secret' : 'Pod', namespace, String(own(bound, 'name')));
      if (!object || object.metadata.uid !== own(bound, 'uid') || object.metadata.deletionTimestamp)
        return undefined;
    }
    const jti = own(claims, 'jti');
    if (typeof jti === 'string') extra['authentication.kubernetes.io/credential-id'] = [`JTI=${jti}`];
  } else return undefined;
  const account = store.get('ServiceAccount', namespace, name);
  if (!account || account.metadata.deletionTimestamp) return undefined;
  if (uid && account.metadata.uid !== uid) return undefined;
  return {
    username: serviceAccountUser(namespace, name),
    uid: account.metadata.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, AUTHENTICATED],
    extra,
  };
}
