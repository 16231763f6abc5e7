import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Answer, gradeQuiz, parseAnswers } from '../../src/course/grade.js';
import { ANSWERS, helpers, loadQuiz } from './quiz-fixture.js';

const quiz = await loadQuiz();
const { question, grade, designModel } = helpers(quiz);

/** The course text's own model answer to its design challenge, as printed in the seed. */
const SEED_Q5 = `# PVC
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-pvc
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 10Gi
---
# Deployment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: my-api:v1.0
          resources:
            requests: {memory: "512Mi", cpu: "500m"}
            limits: {memory: "1Gi", cpu: "1000m"}
          livenessProbe:
            httpGet: {path: /live, port: 8000}
          readinessProbe:
            httpGet: {path: /ready, port: 8000}
          volumeMounts:
            - name: storage
              mountPath: /data
      volumes:
        - name: storage
          persistentVolumeClaim:
            claimName: data-pvc
---
# HPA
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api-hpa
spec:
  scaleTargetRef: {kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
`;

describe('grading the design challenge (q5)', () => {
  const q5 = (answer: Answer) => grade('q5', answer);

  it('our model answer is valid apps/v1 and autoscaling/v2 and meets all 12 requirements', () => {
    expect(q5(designModel())).toMatchObject({ score: 13, max: 13 });
  });

  it("the seed's own answer scores 9 of 13: no Deployment selector (so the API server refuses it), no scaleTargetRef apiVersion", () => {
    const graded = q5(SEED_Q5);
    expect(graded.score).toBe(9);
    expect(graded.feedback).toBe(
      'Met 9 of 12 requirements. Missing: the Deployment has a selector (required in apps/v1; it must match the pod labels); ' +
        "the HPA's scaleTargetRef names the Deployment with apiVersion apps/v1 and kind Deployment; " +
        'the API server accepts every document as written (kubectl apply would create them); it refuses: ' +
        'Deployment.apps "api" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`].',
    );
    expect(question('q5').explanation).toMatch(/selector[\s\S]*apiVersion/);
  });

  it('credits requirement by requirement, and checks the links between the documents', () => {
    const model = designModel();
    const missing = (answer: string) =>
      q5(answer)
        .feedback.replace(/^Met \d+ of 12 requirements\. Missing: /, '')
        .replace(/\.$/, '');
    // What the answer has instead is named: the values found, the names they should match.
    expect(missing(model.replace('claimName: data-pvc', 'claimName: other-pvc'))).toBe(
      'the Deployment mounts a volume from the claim written above (persistentVolumeClaim.claimName names other-pvc; the PersistentVolumeClaim is data-pvc)',
    );
    expect(missing(model.replace('name: api}', 'name: web}'))).toBe(
      "the HPA's scaleTargetRef names the Deployment with apiVersion apps/v1 and kind Deployment (scaleTargetRef names web; the Deployment is api)",
    );
    expect(missing(model.replace('accessModes: [ReadWriteOnce]', 'accessModes: [ReadWriteMany]'))).toMatch(
      /^a PersistentVolumeClaim with access mode ReadWriteOnce/,
    );
    expect(missing(model.replace('name: cpu', 'name: memory'))).toBe(
      'the HPA targets 70% average CPU utilization',
    );
    expect(missing(model.replace('maxReplicas: 10', 'maxReplicas: 5'))).toBe(
      'a HorizontalPodAutoscaler from 2 to 10 replicas (maxReplicas is 5; expected 10)',
    );
    expect(missing(model.replace('replicas: 3', 'replicas: 1'))).toBe(
      'a Deployment with at least 2 replicas (replicas is 1; expected at least 2)',
    );
    const noReadiness = model.replace(/^( *)readinessProbe:\n(\1 .*\n)+/m, '');
    expect(noReadiness).not.toContain('readinessProbe');
    expect(missing(noReadiness)).toBe('the container has a readiness probe');
    // Only the PVC: one requirement of thirteen points; valid, but not the design asked for.
    expect(q5(model.split('\n---\n')[0]!).score).toBe(1);
  });

  it('gives the points for validity only when the API server would accept every document, and quotes its refusal', () => {
    const model = designModel();
    const missing = (answer: string) => {
      const graded = q5(answer);
      expect(graded.score, graded.feedback).toBe(11);
      return graded.feedback.replace(/^Met 11 of 12 requirements\. Missing: /, '');
    };
    const accepted =
      'the API server accepts every document as written (kubectl apply would create them); it refuses: ';
    // Every field the rubric looks at is there; what is wrong is how they fit together.
    expect(missing(model.replace('labels: {app: api}', 'labels: {app: web}'))).toBe(
      `${accepted}Deployment.apps "api" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: \`selector\` does not match template \`labels\`.`,
    );
    expect(missing(model.replace('- name: storage', '- name: other'))).toBe(
      `${accepted}Deployment.apps "api" is invalid: spec.template.spec.containers[0].volumeMounts[0].name: Not found: "other".`,
    );
    expect(missing(model.replace('apiVersion: autoscaling/v2', 'apiVersion: autoscaling/v2beta1'))).toBe(
      `${accepted}no matches for kind "HorizontalPodAutoscaler" in version "autoscaling/v2beta1".`,
    );
  });

  it('a YAML syntax error scores 0 and names its line; odd input never crashes', () => {
    const model = designModel();
    const broken = model.replace('  accessModes: [ReadWriteOnce]', '  accessModes: [ReadWriteOnce');
    const graded = q5(broken);
    expect(graded.score).toBe(0);
    // The bracket opened on line 6 is found unclosed on line 7, where the parser reports it.
    expect(graded.feedback).toMatch(/^The YAML does not parse \(line 7 of the answer\)/);
    for (const odd of [
      'a Deployment with 3 replicas',
      '42',
      '- a\n- b',
      '---\n---\n',
      '{}',
      'kind: [',
      '\t\tkind: x',
    ]) {
      expect(() => q5(odd), odd).not.toThrow();
      expect(q5(odd).score, odd).toBe(0);
    }
  });

  it('inside an answers file, a broken q5 scores 0 with its line while the other answers are graded', () => {
    const text = readFileSync(join(ANSWERS, 'paraphrased.yaml'), 'utf8').replace(
      '    accessModes:\n      - ReadWriteOnce',
      '    accessModes: [ReadWriteOnce\n',
    );
    const graded = gradeQuiz(quiz, parseAnswers(text, 'broken.yaml', quiz));
    const byId = Object.fromEntries(graded.questions.map((q) => [q.id, q]));
    expect(byId.q5!.score).toBe(0);
    expect(byId.q5!.feedback).toMatch(/line \d+ of the answer/);
    expect(graded.score).toBe(graded.max - byId.q5!.max);
  });
});
