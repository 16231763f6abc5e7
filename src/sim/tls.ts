import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../files/atomic.js';

/**
 * The simulated API server's certificate authority and serving certificate, kept in the
 * simulator's folder as kubeadm keeps them in /etc/kubernetes/pki (ca.crt, ca.key, apiserver.crt,
 * apiserver.key), with the kubeconfig user's client certificate (admin.crt, admin.key). Made once
 * and reused, so that a kubeconfig (which carries the CA) stays valid across restarts; made again
 * when missing, unreadable, not matching, or expiring soon.
 */
export interface ServingCertificates {
  /** The CA certificate (PEM): what a client trusts. */
  ca: string;
  /** The serving certificate (PEM) and its key, for the listener. */
  cert: string;
  key: string;
  /** The kubeconfig user's client certificate and key (PEM), as in kubeadm's admin.conf. */
  admin: { cert: string; key: string };
}

/** The names the API server answers to: loopback, and the in-cluster names of a real cluster. */
export const SERVING_NAMES = {
  dns: [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ],
  ips: ['127.0.0.1'],
};

/** A certificate that expires within this is made again at start. */
export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

export const certificateFiles = (dir: string) => ({
  caCert: join(dir, 'ca.crt'),
  caKey: join(dir, 'ca.key'),
  cert: join(dir, 'apiserver.crt'),
  key: join(dir, 'apiserver.key'),
  adminCert: join(dir, 'admin.crt'),
  adminKey: join(dir, 'admin.key'),
});

interface Loaded {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
}

/** A certificate and its key as read from disk, if both parse, match and stay valid long enough. */
function load(certFile: string, keyFile: string, now: Date): Loaded | undefined {
  try {
    const certPem = readFileSync(certFile, 'utf8');
    const keyPem = readFileSync(keyFile, 'utf8');
    const cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (!(from <= now.getTime() && to - now.getTime() > RENEW_BEFORE_MS)) return undefined;
    return { cert, certPem, keyPem };
  } catch {
    return undefined;
  }
}

const signedBy = (leaf: Loaded, ca: Loaded) =>
  leaf.cert.checkIssued(ca.cert) && leaf.cert.verify(ca.cert.publicKey);

function servingCovers(serving: Loaded): boolean {
  return (
    SERVING_NAMES.ips.every((ip) => serving.cert.checkIP(ip) !== undefined) &&
    SERVING_NAMES.dns.every((name) => serving.cert.checkHost(name, { wildcards: false }) !== undefined)
  );
}

export async function servingCertificates(
  dir: string,
  options: { log?: (line: string) => void; now?: Date } = {},
): Promise<ServingCertificates> {
  const now = options.now ?? new Date();
  const files = certificateFiles(dir);
  let ca = load(files.caCert, files.caKey, now);
  const current = (cert: string, key: string, fits: (leaf: Loaded) => boolean = () => true) => {
    const leaf = ca && load(cert, key, now);
    return leaf && ca && signedBy(leaf, ca) && fits(leaf) ? leaf : undefined;
  };
  let serving = current(files.cert, files.key, servingCovers);
  // An admin certificate of an older simulator (group kubeadm:cluster-admins) is made again.
  let admin = current(files.adminCert, files.adminKey, (leaf) =>
    /^O=system:masters$/m.test(leaf.cert.subject),
  );
  if (ca && serving && admin)
    return {
      ca: ca.certPem,
      cert: serving.certPem,
      key: serving.keyPem,
      admin: { cert: admin.certPem, key: admin.keyPem },
    };

  const generate = await import('./tls-generate.js');
  // Each key goes to disk before its certificate: a certificate beside a key not its own is made again.
  const save = (made: { cert: string; key: string }, certFile: string, keyFile: string): Loaded => {
    writeFileAtomicSync(keyFile, made.key, 0o600);
    writeFileAtomicSync(certFile, made.cert, 0o644);
    return { cert: new X509Certificate(made.cert), certPem: made.cert, keyPem: made.key };
  };
  if (!ca) {
    if (existsSync(files.caCert))
      options.log?.(
        `warning: the simulated cluster's certificate authority (${files.caCert}) was unreadable or expiring; made a new one. Kubeconfigs copied from the old one no longer work: use ${join(dir, 'kubeconfig')}.`,
      );
    ca = save(await generate.generateCa(now), files.caCert, files.caKey);
  }
  const signer = { cert: ca.certPem, key: ca.keyPem };
  serving ??= save(await generate.generateServing(signer, SERVING_NAMES, now), files.cert, files.key);
  admin ??= save(await generate.generateAdmin(signer, now), files.adminCert, files.adminKey);
  return {
    ca: ca.certPem,
    cert: serving.certPem,
    key: serving.keyPem,
    admin: { cert: admin.certPem, key: admin.keyPem },
  };
}
