import type { KubeObject } from '../../kube/objects.js';
import { own } from '../../kube/own.js';
import type { PolicyRule } from '../../kube/rbac/rules.js';
import { matchesLabels, selectorFromObject } from '../../kube/selectors.js';
import { legacyClaims, type SigningKey, signToken, verifyToken } from '../auth/tokens.js';
import type { Store, StoreEvent } from '../store.js';
import { Controller, type ControllerSettings } from './controller.js';
import { createObject, deleteIfPresent, namespaceTerminating, same, writeObject } from './meta.js';

/**
 * The controllers of who is who, from kube-controller-manager: the ServiceAccount controller (a
 * `default` ServiceAccount in every namespace), the token controller (a Secret of type
 * kubernetes.io/service-account-token gets its ServiceAccount's token, the CA and the namespace,
 * and goes with its ServiceAccount), and the ClusterRole aggregation controller (admin, edit and
 * view are the union of the roles their labels select). They run even when the workload
 * controllers do not, so that tokens and roles work for every client of the API.
 */
export const SA_TOKEN = 'kubernetes.io/service-account-token';
const SA_NAME = 'kubernetes.io/service-account.name';
const SA_UID = 'kubernetes.io/service-account.uid';

class ServiceAccountController extends Controller {
  protected readonly name = 'serviceaccount-controller';

  protected keysFor(event: StoreEvent): string[] {
    if (event.kind === 'Namespace' && event.type !== 'DELETED') return [event.object.metadata.name];
    if (
      event.kind === 'ServiceAccount' &&
      event.type === 'DELETED' &&
      event.object.metadata.name === 'default'
    )
      return [event.object.metadata.namespace ?? ''];
    return [];
  }

  protected allKeys(): string[] {
    return this.store.list('Namespace').map((ns) => ns.metadata.name);
  }

  protected reconcile(namespace: string): void {
    if (!this.store.get('Namespace', undefined, namespace) || namespaceTerminating(this.store, namespace))
      return;
    if (this.store.get('ServiceAccount', namespace, 'default')) return;
    createObject(this.store, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace },
    });
  }
}

class TokenController extends Controller {
  protected readonly name = 'tokens-controller';

  constructor(
    store: Store,
    private readonly key: SigningKey,
    private readonly ca: string,
    settings: ControllerSettings,
  ) {
    super(store, settings);
  }

  protected keysFor(event: StoreEvent): string[] {
    const { object } = event;
    if (event.kind === 'Secret' && event.type !== 'DELETED' && object.type === SA_TOKEN)
      return [`${object.metadata.namespace}/${object.metadata.name}`];
    if (event.kind === 'ServiceAccount') return [`${object.metadata.namespace}/`];
    return [];
  }

  protected allKeys(): string[] {
    return this.tokenSecrets().map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
  }

  private tokenSecrets(namespace?: string): KubeObject[] {
    return this.store.list('Secret', namespace).filter((s) => s.type === SA_TOKEN);
  }

  protected reconcile(key: string): void {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    // A ServiceAccount came or went: every token Secret of its namespace is looked at again.
    if (name === '') {
      for (const secret of this.tokenSecrets(namespace))
        this.queue.add(`${namespace}/${secret.metadata.name}`);
      return;
    }
    const secret = this.store.get('Secret', namespace, name);
    if (!secret || secret.type !== SA_TOKEN || secret.metadata.deletionTimestamp) return;
    const annotations = secret.metadata.annotations ?? {};
    const accountName = own(annotations, SA_NAME);
    const account =
      typeof accountName === 'string' ? this.store.get('ServiceAccount', namespace, accountName) : undefined;
    const wantedUid = own(annotations, SA_UID);
    // The token of a ServiceAccount that is gone (or was made again) goes too.
    if (
      !account ||
      (typeof wantedUid === 'string' && wantedUid !== '' && wantedUid !== account.metadata.uid)
    ) {
      if (!account && namespaceTerminating(this.store, namespace)) return;
      deleteIfPresent(this.store, 'Secret', namespace, name);
      return;
    }
    const data = { ...(secret.data ?? {}) } as Record<string, string>;
    const held =
      typeof own(data, 'token') === 'string'
        ? Buffer.from(own(data, 'token'), 'base64').toString('utf8')
        : '';
    const claims = held ? verifyToken(this.key, held) : undefined;
    const uid = account.metadata.uid ?? '';
    const valid =
      claims !== undefined &&
      own(claims, 'kubernetes.io/serviceaccount/secret.name') === name &&
      own(claims, 'kubernetes.io/serviceaccount/service-account.uid') === uid;
    const next: Record<string, string> = {
      ...data,
      'ca.crt': Buffer.from(this.ca).toString('base64'),
      namespace: Buffer.from(namespace).toString('base64'),
      token: valid
        ? (data.token as string)
        : Buffer.from(
            signToken(this.key, legacyClaims(namespace, account.metadata.name, uid, name)),
          ).toString('base64'),
    };
    const nextAnnotations = { ...annotations, [SA_UID]: uid };
    if (same(next, secret.data) && same(nextAnnotations, annotations)) return;
    writeObject(this.store, 'Secret', {
      ...secret,
      metadata: { ...secret.metadata, annotations: nextAnnotations },
      data: next,
    });
  }
}

class ClusterRoleAggregationController extends Controller {
  protected readonly name = 'clusterrole-aggregation-controller';

  protected keysFor(event: StoreEvent): string[] {
    return event.kind === 'ClusterRole' ? this.allKeys() : [];
  }

  protected allKeys(): string[] {
    return this.store
      .list('ClusterRole')
      .filter((r) => r.aggregationRule)
      .map((r) => r.metadata.name);
  }

  protected reconcile(name: string): void {
    const role = this.store.get('ClusterRole', undefined, name);
    const selectors = ((role?.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined)
      ?.clusterRoleSelectors ?? []) as Parameters<typeof selectorFromObject>[0][];
    if (!role || selectors.length === 0) return;
    const rules: PolicyRule[] = [];
    const sources = this.store
      .list('ClusterRole')
      .filter((r) => r.metadata.name !== name)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    for (const selector of selectors) {
      const parsed = selectorFromObject(selector);
      for (const source of sources) {
        if (!matchesLabels(parsed, source.metadata.labels)) continue;
        for (const rule of (source.rules as PolicyRule[] | undefined) ?? [])
          if (!rules.some((r) => same(r, rule))) rules.push(structuredClone(rule));
      }
    }
    if (same(rules, role.rules ?? [])) return;
    writeObject(this.store, 'ClusterRole', { ...role, rules });
  }
}

export interface IdentityControllers {
  stop(): void;
}

export function startIdentityControllers(
  store: Store,
  options: { key: SigningKey; ca: string; log?: (line: string) => void },
): IdentityControllers {
  const settings = { log: options.log };
  const controllers = [
    new ClusterRoleAggregationController(store, settings).start(),
    new ServiceAccountController(store, settings).start(),
    new TokenController(store, options.key, options.ca, settings).start(),
  ];
  return {
    stop() {
      for (const c of controllers) c.stop();
    },
  };
}
