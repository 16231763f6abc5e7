import { stringify } from 'yaml';
import { own } from '../kube/own.js';
import { learnerContext, learnerNamespace } from './learners.js';

/** What a learner's kubeconfig says of its class, in its context's `churn-labs` extension. */
export interface ClassroomExtension {
  learner: string;
  namespace: string;
  registry?: string;
  storageClass?: string;
}

/** The cluster entry of `kubectl config view --raw --minify -o json`: where the API server is and how to trust it. */
export interface AdminCluster {
  server: string;
  caData?: string;
  insecure?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

/**
 * The admin context's cluster, from `kubectl config view --raw --minify --flatten -o json`
 * (--flatten embeds a CA given as a file: the learner's kubeconfig goes to another machine).
 */
export function adminCluster(viewJson: string): AdminCluster {
  const view = JSON.parse(viewJson) as unknown;
  const entry = own(own(view, 'clusters')?.[0], 'cluster');
  const server = own(entry, 'server');
  if (typeof server !== 'string' || server === '')
    throw new Error('the admin context names no cluster server');
  const caData = own(entry, 'certificate-authority-data') as string | undefined;
  return {
    server,
    caData: typeof caData === 'string' && caData !== '' ? caData : undefined,
    insecure: own(entry, 'insecure-skip-tls-verify') === true ? true : undefined,
    tlsServerName: (own(entry, 'tls-server-name') as string | undefined) || undefined,
    proxyUrl: (own(entry, 'proxy-url') as string | undefined) || undefined,
  };
}

/** A learner's kubeconfig: one context, current, with their namespace set and their token. */
export function learnerKubeconfig(
  cluster: AdminCluster,
  learner: string,
  token: string,
  extra: { registry?: string; storageClass?: string } = {},
): string {
  const name = learnerContext(learner);
  const namespace = learnerNamespace(learner);
  const extension: ClassroomExtension = { learner, namespace, ...extra };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
          ...(cluster.insecure ? { 'insecure-skip-tls-verify': true } : {}),
          ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
          ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
        },
      },
    ],
    users: [{ name, user: { token } }],
    contexts: [
      {
        name,
        context: {
          cluster: name,
          user: name,
          namespace,
          extensions: [{ name: 'churn-labs', extension }],
        },
      },
    ],
    'current-context': name,
  };
  return `# churn-labs classroom: learner ${learner}. Run: npx churn-labs start --kubeconfig ${learner}.kubeconfig\n${stringify(config)}`;
}
