import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Course } from '../../src/course/course.js';
import { exerciseSchema, quizSchema } from '../../src/course/schema.js';
import type { Lab } from '../../src/lab.js';
import { homePaths } from '../../src/paths.js';

/**
 * A small course in the shape of the real one (validated by the real schemas): two exercises, the
 * second with a probe check, and a quiz with one question of each type.
 */
export const deploySystem = exerciseSchema.parse({
  id: 'deploy-system',
  title: 'Deploy the churn-mlops system',
  seed: 'Hands-On Exercise 1',
  intro: 'Bring the **whole system** up in namespace `{{namespace}}`.',
  differences: ['The Service is ClusterIP, not LoadBalancer: kind has no cloud load balancer.'],
  steps: [
    {
      id: 'namespace',
      title: 'Create the namespace',
      instructions:
        '## The namespace\n\nEverything lives in one namespace:\n\n```sh\nkubectl create namespace churn-mlops\n```',
      commands: ['kubectl create namespace churn-mlops'],
      checks: [
        {
          id: 'ns',
          title: 'namespace churn-mlops exists',
          type: 'exists',
          kind: 'Namespace',
          name: 'churn-mlops',
        },
      ],
      hints: ['Namespaces are created with `kubectl create`.', 'Run: `kubectl create namespace churn-mlops`'],
      solution: ['kubectl create namespace churn-mlops'],
    },
    {
      id: 'apply',
      title: 'Apply the manifests',
      instructions: 'Apply every manifest in `{{workspace}}/manifests`:\n\n- the ConfigMap\n- the Deployment',
      commands: ['kubectl apply -f manifests/ -n churn-mlops'],
      checks: [
        {
          id: 'config',
          title: 'ConfigMap churn-mlops-config exists',
          type: 'exists',
          kind: 'ConfigMap',
          name: 'churn-mlops-config',
        },
      ],
      hints: ['`kubectl apply -f` takes a folder.'],
      solution: ['kubectl apply -f manifests/ -n churn-mlops'],
    },
  ],
});

export const testApi = exerciseSchema.parse({
  id: 'test-api',
  title: 'Test the API',
  seed: 'Hands-On Exercise 2',
  intro: 'Call the API.',
  requires: ['deploy-system'],
  steps: [
    {
      id: 'health',
      title: 'Call /health',
      instructions: 'Port-forward and call `/health`.',
      commands: ['kubectl port-forward svc/churn-api 8000:8000 -n churn-mlops'],
      checks: [
        {
          id: 'health',
          title: 'the API answers /health',
          type: 'http',
          service: 'churn-api',
          port: 8000,
          path: '/health',
          expect: { status: 200 },
        },
      ],
      hints: ['Use port-forward.'],
      solution: ['kubectl get --raw /api/v1/namespaces/churn-mlops/services/churn-api:8000/proxy/health'],
    },
  ],
});

export const quiz = quizSchema.parse({
  id: 'section-19',
  title: 'Section 19 assessment',
  seed: 'Assessment Questions',
  questions: [
    {
      id: 'q1',
      type: 'choice',
      prompt: 'Which kind runs batch scoring on a schedule?',
      choices: [
        { key: 'A', text: 'Deployment' },
        { key: 'B', text: 'CronJob' },
        { key: 'C', text: 'DaemonSet' },
      ],
      answer: 'B',
      explanation: 'A CronJob creates Jobs on a schedule.',
    },
    {
      id: 'q2',
      type: 'truefalse',
      prompt: 'A ReadWriteOnce volume can be mounted read-write by pods on two nodes at once.',
      answer: false,
      explanation: 'RWO allows one node.',
    },
    {
      id: 'q3',
      type: 'short',
      prompt: 'What happens when a container exceeds its memory limit?',
      keyPoints: [
        { point: 'it is OOMKilled', accept: ['oom'] },
        { point: 'it is restarted', accept: ['restart'] },
      ],
      modelAnswer: 'The kernel OOM-kills it and the kubelet restarts it.',
      explanation: 'Memory is not compressible.',
    },
    {
      id: 'q4',
      type: 'yaml',
      prompt: 'Write a PersistentVolumeClaim named churn-mlops-pvc for 10Gi.',
      rubric: [
        {
          id: 'pvc',
          requirement: 'a PVC named churn-mlops-pvc',
          kind: 'PersistentVolumeClaim',
          fields: [{ path: '.metadata.name', equals: 'churn-mlops-pvc' }],
        },
        {
          id: 'size',
          requirement: 'it requests 10Gi',
          kind: 'PersistentVolumeClaim',
          fields: [{ path: '.spec.resources.requests.storage', equals: '10Gi' }],
        },
      ],
      modelAnswer: 'apiVersion: v1\nkind: PersistentVolumeClaim',
      explanation: 'A PVC claims storage.',
    },
  ],
});

export const PVC_ANSWER = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: churn-mlops-pvc
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 10Gi
`;

export const course = (): Course => ({ exercises: [deploySystem, testApi], quizzes: [quiz] });

/** A lab on a temporary state folder, aimed at the simulated cluster's context. */
export async function tempLab(): Promise<{ lab: Lab; warnings: string[]; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'churn-labs-tui-'));
  const warnings: string[] = [];
  const paths = homePaths(home);
  return {
    lab: {
      course: course(),
      target: { context: 'churn-labs-sim', kubeconfig: paths.simKubeconfig },
      paths,
      namespace: 'churn-mlops',
      simulated: true,
      warn: (message) => warnings.push(message),
    },
    warnings,
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}
