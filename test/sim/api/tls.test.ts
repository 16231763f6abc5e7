import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/sim/main.js';
import { certificateFiles, SERVING_NAMES, servingCertificates } from '../../../src/sim/tls.js';
import { KUBECTL } from './helpers.js';

/**
 * The API server speaks HTTPS with a CA of its own, and its kubeconfig carries that CA: the
 * official JavaScript client takes the kubeconfig as it is; a client that does not trust the CA
 * is refused; the CA outlives a restart, so a kubeconfig stays valid.
 */
describe('HTTPS and the certificate authority', () => {
  const homes: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const home = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'churn-labs-sim-tls-'));
    homes.push(dir);
    return dir;
  };
  const start = async (dir: string) => {
    const sim = await startSimulator({ home: dir, controllers: false });
    stops.push(() => sim.stop());
    return sim;
  };
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    for (const dir of homes.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  /** GET /version on 127.0.0.1:port, with the given CA (or none) and TLS server name. */
  const version = (port: number, options: { ca?: string; servername?: string } = {}) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/version', ca: options.ca, servername: options.servername },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('@kubernetes/client-node loads the kubeconfig unchanged, lists namespaces, creates and reads a ConfigMap', async () => {
    const sim = await start(await home());
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const config = new KubeConfig();
    config.loadFromFile(sim.kubeconfig);
    expect(config.getCurrentCluster()).toMatchObject({ server: sim.url, skipTLSVerify: false });
    const core = config.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']),
    );
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'settings' }, data: { mode: 'tls' } },
    });
    const read = await core.readNamespacedConfigMap({ namespace: 'default', name: 'settings' });
    expect(read.data).toEqual({ mode: 'tls' });
  });

  it('refuses a client that does not trust its CA: Node without it, kubectl with a kubeconfig without it', async () => {
    const dir = await home();
    const sim = await start(dir);
    const port = Number(new URL(sim.url).port);
    await expect(version(port)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    // Another simulator's CA is no better.
    const other = await servingCertificates(join(dir, 'other'));
    await expect(version(port, { ca: other.ca })).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(await version(port, { ca: sim.ca })).toBe(200);

    const untrusting = join(dir, 'no-ca-kubeconfig');
    writeFileSync(
      untrusting,
      readFileSync(sim.kubeconfig, 'utf8').replace(/^ {4}certificate-authority-data: .*\n/m, ''),
    );
    const kubectl = await execa(
      KUBECTL,
      ['--kubeconfig', untrusting, '--cache-dir', join(dir, 'cache'), 'get', 'namespaces'],
      { reject: false, input: '' },
    );
    expect(kubectl.exitCode).toBe(1);
    expect(kubectl.stderr).toContain(
      'tls: failed to verify certificate: x509: certificate signed by unknown authority',
    );
  });

  it('answers plain HTTP on its port as Go does, in clear text, and keeps serving', async () => {
    const sim = await start(await home());
    const port = Number(new URL(sim.url).port);
    const plain = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request));
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString();
        });
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
    expect(await plain('GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe(
      'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n',
    );
    // Not HTTP, not TLS: the connection is closed, as Go's server does.
    expect(await plain('\x00\x01\x02\x03\x04 hello\r\n')).toBe('');
    expect(await version(port, { ca: sim.ca })).toBe(200);
  });

  it('answers to loopback and the in-cluster names, and to no other', async () => {
    const sim = await start(await home());
    const port = Number(new URL(sim.url).port);
    for (const servername of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'])
      expect(await version(port, { ca: sim.ca, servername })).toBe(200);
    expect(await version(port, { ca: sim.ca, servername: 'kubernetes.default.svc.cluster.local' })).toBe(200);
    await expect(version(port, { ca: sim.ca, servername: 'example.com' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('keeps its CA across a restart on another port, so the first kubeconfig still works there', async () => {
    const dir = await home();
    const first = await start(dir);
    const firstKubeconfig = readFileSync(first.kubeconfig, 'utf8');
    const firstPort = new URL(first.url).port;
    await stops.pop()!();
    // Hold the first port, so that the second start gets another for sure.
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(firstPort), '127.0.0.1', resolve));
    try {
      const second = await start(dir);
      expect(new URL(second.url).port).not.toBe(firstPort);
      expect(second.ca).toBe(first.ca);
      const caData = (text: string) => /certificate-authority-data: (\S+)/.exec(text)?.[1];
      expect(caData(readFileSync(second.kubeconfig, 'utf8'))).toBe(caData(firstKubeconfig));
      // The first kubeconfig, its server moved to the new port: its CA and client certificate still do.
      const moved = join(dir, 'moved-kubeconfig');
      writeFileSync(moved, firstKubeconfig.replace(first.url, second.url));
      const kubectl = await execa(
        KUBECTL,
        ['--kubeconfig', moved, '--cache-dir', join(dir, 'cache'), 'get', 'nodes', '-o', 'name'],
        { reject: false, input: '' },
      );
      expect(kubectl.stderr).toBe('');
      expect(kubectl.stdout.trim()).toBe('node/churn-labs-control-plane');
    } finally {
      blocker.close();
    }
  });

  it('keeps keys private (0600) in a private folder (0700)', async () => {
    const dir = await home();
    await start(dir);
    const files = certificateFiles(join(dir, 'sim'));
    expect(statSync(join(dir, 'sim')).mode & 0o777).toBe(0o700);
    for (const key of [files.caKey, files.key, files.adminKey])
      expect(statSync(key).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(readFileSync(files.caCert));
    expect(ca.ca).toBe(true);
    const serving = new X509Certificate(readFileSync(files.cert));
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.subjectAltName).toBe(
      [
        ...SERVING_NAMES.dns.map((n) => `DNS:${n}`),
        ...SERVING_NAMES.ips.map((ip) => `IP Address:${ip}`),
      ].join(', '),
    );
  });

  it('makes a certificate again when it is missing, unreadable or expiring soon; the CA only when the CA is', async () => {
    const dir = join(await home(), 'pki');
    const files = certificateFiles(dir);
    const first = await servingCertificates(dir);
    expect(await servingCertificates(dir)).toEqual(first);

    writeFileSync(files.cert, 'not a certificate');
    const unreadable = await servingCertificates(dir);
    expect(unreadable.ca).toBe(first.ca);
    expect(unreadable.admin).toEqual(first.admin);
    expect(unreadable.cert).not.toBe(first.cert);

    rmSync(files.adminKey);
    const missing = await servingCertificates(dir);
    expect(missing.ca).toBe(first.ca);
    expect(missing.admin.key).not.toBe(first.admin.key);

    // A CA key that does not load: a new CA, and everything it signs, with a warning.
    const lines: string[] = [];
    writeFileSync(files.caKey, '');
    const renewed = await servingCertificates(dir, { log: (l) => lines.push(l) });
    expect(renewed.ca).not.toBe(first.ca);
    expect(renewed.cert).not.toBe(missing.cert);
    expect(renewed.admin.cert).not.toBe(missing.admin.cert);
    expect(new X509Certificate(renewed.cert).checkIssued(new X509Certificate(renewed.ca))).toBe(true);
    expect(lines.join('\n')).toContain("the simulated cluster's certificate authority");

    // Within 30 days of the serving certificate's end (1 year): new ones from the same CA.
    const day = 24 * 60 * 60 * 1000;
    const late = await servingCertificates(dir, { now: new Date(Date.now() + 340 * day) });
    expect(late.ca).toBe(renewed.ca);
    expect(late.cert).not.toBe(renewed.cert);
    expect(late.admin.cert).not.toBe(renewed.admin.cert);

    // Within 30 days of the CA's end (10 years): a new CA.
    const older = await servingCertificates(dir, { now: new Date(Date.now() + 3640 * day) });
    expect(older.ca).not.toBe(renewed.ca);
  });

  it('makes the admin certificate of an older simulator (group kubeadm:cluster-admins) again, in system:masters, with the same CA', async () => {
    const dir = join(await home(), 'pki');
    const files = certificateFiles(dir);
    const first = await servingCertificates(dir);
    // What the simulator made before it authorized anyone: the same CA, kubeadm 1.29's subject.
    await execa('openssl', [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      files.adminKey,
      '-subj',
      '/O=kubeadm:cluster-admins/CN=kubernetes-admin',
      '-out',
      join(dir, 'admin.csr'),
    ]);
    await execa('openssl', [
      'x509',
      '-req',
      '-in',
      join(dir, 'admin.csr'),
      '-CA',
      files.caCert,
      '-CAkey',
      files.caKey,
      '-CAcreateserial',
      '-days',
      '365',
      '-out',
      files.adminCert,
    ]);
    expect(new X509Certificate(readFileSync(files.adminCert)).subject).toBe(
      'O=kubeadm:cluster-admins\nCN=kubernetes-admin',
    );
    const upgraded = await servingCertificates(dir);
    expect(upgraded.ca).toBe(first.ca);
    expect(new X509Certificate(upgraded.admin.cert).subject).toBe('O=system:masters\nCN=kubernetes-admin');
  });
});
