import { learnerNamespace } from './learners.js';

/**
 * The API objects of a class, as plain data: what `classroom create` applies for each learner, and
 * the one ClusterRole they share. No I/O here.
 */

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LEARNER_LABEL = 'churn-labs.dev/learner';
/** Every object made for a learner (and only those) carries both labels. */
export const LEARNER_SELECTOR = `${MANAGED_BY}=churn-labs,${LEARNER_LABEL}`;
export const CLUSTER_ROLE = 'churn-labs-learner-cluster';
export const ROLE = 'churn-labs-learner';
export const SERVICE_ACCOUNT = 'learner';
export const TOKEN_SECRET = 'learner-token';
export const PROGRESS_CONFIGMAP = 'churn-labs-progress';
export const QUOTA = 'churn-labs-quota';
export const OBJECT_QUOTA = 'churn-labs-objects';
export const LIMIT_RANGE = 'churn-labs-limits';

export interface ClassObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const READ = ['get', 'list', 'watch'];

/**
 * What the course does in the learner's namespace, and nothing more. Gathered from labs/ (every
 * command, hint and solution), manifests/, the checks (src/course/reads.ts, src/cluster/observe.ts)
 * and the app's watches (src/tui/live/feed.ts):
 * - apply/patch/scale/set/rollout/delete of the workload's kinds (Exercise 1, "do it for me",
 *   the incidents' breaks and resets, which run as the learner);
 * - pods: logs (`kubectl logs`, logs checks), exec (`ls` of file checks), port-forward
 *   (Exercise 2), the pods proxy (metric checks, health-probes' create/delete --raw on /admin/drain);
 * - services/proxy (http checks, `kubectl get --raw .../services/churn-api:8000/proxy/health`);
 * - metrics.k8s.io pods (`kubectl top pods`, the HPA's view);
 * - read-only: events, endpoints and EndpointSlices, the kinds `kubectl get all` lists,
 *   the namespace's ResourceQuotas and LimitRanges (so the learner can see their room), their
 *   ServiceAccounts;
 * - `get` of the namespace itself: a Role may grant it, since the API server files
 *   GET /api/v1/namespaces/<ns> under namespace <ns> (its request info), so no per-learner
 *   ClusterRole is needed and the learner cannot read any other namespace.
 * Nothing on roles, rolebindings, resourcequotas or limitranges beyond reading the last two: a
 * learner cannot widen their own access or room.
 */
export function learnerRules(namespace: string) {
  return [
    {
      apiGroups: [''],
      resources: ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims'],
      verbs: ALL,
    },
    { apiGroups: [''], resources: ['pods/log', 'pods/status', 'services/status'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], verbs: ['get', 'create'] },
    {
      apiGroups: [''],
      resources: ['pods/proxy', 'services/proxy'],
      verbs: ['get', 'create', 'update', 'patch', 'delete'],
    },
    {
      apiGroups: [''],
      resources: [
        'events',
        'endpoints',
        'replicationcontrollers',
        'resourcequotas',
        'limitranges',
        'serviceaccounts',
      ],
      verbs: READ,
    },
    { apiGroups: [''], resources: ['namespaces'], resourceNames: [namespace], verbs: ['get'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale'],
      verbs: ALL,
    },
    { apiGroups: ['apps'], resources: ['statefulsets', 'daemonsets', 'controllerrevisions'], verbs: READ },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ALL },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ALL },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
    { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['get', 'list'] },
  ];
}

/**
 * Read-only, and only what the course shows of the cluster: the nodes (`kubectl describe node` in
 * scale-api and incident-pending), StorageClasses (incident-volume-pending, persistent-storage) and
 * the nodes' metrics (`kubectl top node`). Shared by every learner, each bound by their own
 * ClusterRoleBinding, so that deleting a learner removes exactly their access.
 */
export function clusterRole(): ClassObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: CLUSTER_ROLE, labels: { [MANAGED_BY]: 'churn-labs' } },
    rules: [
      { apiGroups: [''], resources: ['nodes'], verbs: READ },
      { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: READ },
      { apiGroups: ['metrics.k8s.io'], resources: ['nodes'], verbs: ['get', 'list'] },
    ],
  };
}

/**
 * The room one learner has. What the course asks for at its peak (requests / limits of memory):
 *   autoscale-load: churn-api at the HPA's maximum, 10 replicas, plus 1 surge pod of a rollout
 *     11 x 512Mi / 1Gi                                   = 5632Mi / 11264Mi
 *   load-generator, 2 replicas x 64Mi / 256Mi           =  128Mi /   512Mi
 *   the CronJobs' Jobs if they all run at once: batch-score 1Gi / 2Gi, check-drift 256Mi / 512Mi,
 *     retrain 2Gi / 4Gi                                  = 3328Mi /  6656Mi
 *   seed-model Job 256Mi / 512Mi; resources-qos pods: guaranteed 64Mi / 64Mi, batch-score-fits
 *     64Mi / 256Mi, batch-score-oom 64Mi / 96Mi         =  448Mi /   928Mi
 *   total                                               = 9536Mi / 19360Mi
 * so 10Gi of requests and 20Gi of limits: every exercise and incident fits, and one learner can
 * take no more than that of the cluster (size the cluster at about 10Gi of memory per learner for
 * the autoscaling exercise; most of the course uses 3 x 512Mi).
 *
 * Memory only, and scoped to NotBestEffort pods: a quota on cpu or memory makes the API server
 * refuse every pod that does not state that resource, and the course has two on purpose:
 * resources-qos's BestEffort pod (no requests at all), and incident-hpa-blind, whose cause is a
 * pod template without a CPU request. Quota on CPU (or a LimitRange that defaults or bounds a
 * container's CPU or memory) would refuse the first and cure the second. CPU is bounded instead by
 * the count of pods below (40: the 11 API pods, 2 load generators, 3 Jobs with history kept,
 * the QoS pods, and room for mistakes).
 */
export function quota(namespace: string, learner: string): ClassObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: QUOTA, namespace, labels: labels(learner) },
    spec: {
      hard: { 'requests.memory': '10Gi', 'limits.memory': '20Gi' },
      scopes: ['NotBestEffort'],
    },
  };
}

/**
 * Counts, whatever the pods' QoS: pods (see above), claims and their storage (the course's one
 * 10Gi claim, plus incident-volume-pending's 1Gi one), and no LoadBalancer or NodePort Services,
 * which would reach outside the learner's namespace.
 */
export function objectQuota(namespace: string, learner: string): ClassObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: OBJECT_QUOTA, namespace, labels: labels(learner) },
    spec: {
      hard: {
        pods: '40',
        persistentvolumeclaims: '4',
        'requests.storage': '24Gi',
        services: '10',
        'services.loadbalancers': '0',
        'services.nodeports': '0',
        configmaps: '20',
        secrets: '20',
        'count/jobs.batch': '40',
        'count/cronjobs.batch': '10',
        'count/deployments.apps': '10',
      },
    },
  };
}

/**
 * A claim asks for at most 10Gi (the course's own claim). Nothing for containers: see quota()
 * for why a container bound or default would change two of the course's lessons.
 */
export function limitRange(namespace: string, learner: string): ClassObject {
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: LIMIT_RANGE, namespace, labels: labels(learner) },
    spec: { limits: [{ type: 'PersistentVolumeClaim', max: { storage: '10Gi' } }] },
  };
}

export const labels = (learner: string) => ({ [MANAGED_BY]: 'churn-labs', [LEARNER_LABEL]: learner });

/** Everything made for one learner, the namespace first (apply makes a List's items in order). */
export function learnerObjects(learner: string): ClassObject[] {
  const namespace = learnerNamespace(learner);
  const meta = (name: string) => ({ name, namespace, labels: labels(learner) });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: labels(learner) } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(SERVICE_ACCOUNT) },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        ...meta(TOKEN_SECRET),
        annotations: { 'kubernetes.io/service-account.name': SERVICE_ACCOUNT },
      },
      type: 'kubernetes.io/service-account-token',
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(ROLE),
      rules: learnerRules(namespace),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(ROLE),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ROLE },
      subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `churn-labs-learner-${learner}`, labels: labels(learner) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace }],
    },
    quota(namespace, learner),
    objectQuota(namespace, learner),
    limitRange(namespace, learner),
    progressConfigMap(learner, emptyProgressJson()),
  ];
}

export const emptyProgressJson = () =>
  `${JSON.stringify({ version: 1, exercises: {}, quizzes: {} }, null, 2)}\n`;

/** `updated` is when the learner's app last wrote it: left out when made empty, before any activity. */
export function progressConfigMap(learner: string, progressJson: string, now?: Date): ClassObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: PROGRESS_CONFIGMAP, namespace: learnerNamespace(learner), labels: labels(learner) },
    data: { 'progress.json': progressJson, ...(now ? { updated: now.toISOString() } : {}) },
  };
}
