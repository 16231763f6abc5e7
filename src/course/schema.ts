import { z } from 'zod';
import type { IncidentPart } from './incident.js';
import { parsePhrasing } from './reading/phrasing.js';

/**
 * The course as data. Exercises live in labs/NN-<id>.yaml (NN orders them), quizzes in
 * quizzes/<id>.yaml. Everything a course author writes is validated here, and a mistake is reported
 * with its file, line and what is wrong (see load.ts).
 */

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes (like "deploy-system")');
const markdown = z.string().min(1);
/** A shell command as the learner types it. `{{workspace}}` and `{{namespace}}` are filled in. */
const command = z.string().min(1);

// ---------------------------------------------------------------------------------------------
// Expectations on values found at a path (JSONPath as kubectl writes it: `.status.readyReplicas`,
// `.status.conditions[?(@.type=="Ready")].status`, `.metadata.annotations['a/b']`). A path may
// find several values; the expectation holds when any of them satisfies it.

const scalar = z.union([z.string(), z.number(), z.boolean()]);

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
/** A regular expression, checked when the content loads rather than when a learner meets it. */
const pattern = z.string().min(1).refine(isRegExp, { message: 'not a valid regular expression' });

export const expectationShape = {
  equals: scalar.optional(),
  matches: pattern.optional().describe('a regular expression the value (as text) must match'),
  oneOf: z.array(scalar).optional(),
  atLeast: z.number().optional(),
  atMost: z.number().optional(),
  present: z.boolean().optional().describe('true: the path finds a value; false: it finds none'),
};

const fieldExpectation = z
  .object({
    path: z.string().min(1),
    /** How the learner would name the value: "ready replicas" gives "churn-api has 4 ready replicas; expected 5", "suspend" gives "churn-batch-score's suspend is false; expected true". */
    as: z.string().optional(),
    /** A missing count in status means 0, as the API leaves zero counts out. */
    default: scalar.optional(),
    ...expectationShape,
  })
  .strict()
  .refine(
    (f) =>
      [f.equals, f.matches, f.oneOf, f.atLeast, f.atMost, f.present].filter((v) => v !== undefined).length >=
      1,
    { message: 'say what to expect: equals, matches, oneOf, atLeast, atMost or present' },
  );
export type FieldExpectation = z.infer<typeof fieldExpectation>;

const countExpectation = z
  .object({
    equals: z.number().int().optional(),
    atLeast: z.number().int().optional(),
    atMost: z.number().int().optional(),
  })
  .strict()
  .refine((c) => c.equals !== undefined || c.atLeast !== undefined || c.atMost !== undefined, {
    message: 'say what count to expect: equals, atLeast or atMost',
  });
export type CountExpectation = z.infer<typeof countExpectation>;

// ---------------------------------------------------------------------------------------------
// Checks. Object checks (exists, absent, fields, count, rolledOut, jobComplete, rolloutHistory,
// replicas, oneAutoscaler, endpoints) are evaluated on one batched `kubectl get` of every kind a step needs. The others
// (http, metric, logs, file) each make their own call.

const base = {
  id,
  /** What the learner sees in the list of checks, e.g. "churn-api runs 3 ready replicas". */
  title: z.string().min(1),
  namespace: z.string().optional(),
  /**
   * Shown instead of what was found while the check fails: an incident's checks must not name
   * the cause before it is fixed, and what they find often would ("the readiness path is /x").
   */
  message: z.string().min(1).optional(),
};

const kind = z.string().regex(/^[A-Z][A-Za-z]+$/, 'a Kubernetes kind, like Deployment or CronJob');

export const checkSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('exists'), kind, name: z.string() }).strict(),
  z.object({ ...base, type: z.literal('absent'), kind, name: z.string() }).strict(),
  z
    .object({
      ...base,
      type: z.literal('fields'),
      kind,
      name: z.string(),
      fields: z.array(fieldExpectation).min(1),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('count'),
      kind,
      /** A label selector as kubectl takes it: `app=churn-api,tier!=batch`. */
      selector: z.string().optional(),
      /** Only objects whose fields meet these expectations count. */
      where: z.array(fieldExpectation).optional(),
      /** For pods: only pods whose Ready condition is True count. */
      ready: z.boolean().optional(),
      /**
       * An earlier step's id: only objects made (events: last seen) after that step passed count,
       * so that what earlier exercises left behind (a rollout's Killing events) does not.
       */
      since: id.optional(),
      /** How the learner would name what is counted: "ready churn-api pods". */
      as: z.string().optional(),
      expect: countExpectation,
    })
    .strict(),
  z.object({ ...base, type: z.literal('rolledOut'), deployment: z.string() }).strict(),
  z
    .object({
      ...base,
      type: z.literal('jobComplete'),
      /** The Job's name; without it, any Job that meets the rest counts. */
      name: z.string().optional(),
      /** The Job must have been created from this CronJob (by its schedule or by hand). */
      fromCronJob: z.string().optional(),
      /** true: the Job must have been created by hand (`kubectl create job --from=cronjob/...`). */
      manual: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('rolloutHistory'),
      deployment: z.string(),
      container: z.string().optional(),
      /** The image the Deployment runs now, at its newest revision. */
      current: z.string().optional(),
      /** Images that must appear at revisions older than the current one (a rollback leaves them there). */
      earlier: z.array(z.string()).optional(),
      minRevisions: z.number().int().min(1).optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('replicas'),
      deployment: z.string(),
      /** How many replicas while no HPA scales the Deployment; once one does, it sets the number. */
      equals: z.number().int().min(0),
      /** The HPA the course makes, kept when two scale the Deployment (the other is named to delete). */
      hpa: z.string().optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('oneAutoscaler'),
      deployment: z.string(),
      /** The HPA that may scale it; without it, at most one may. */
      hpa: z.string().optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('endpoints'),
      service: z.string(),
      /** How many ready endpoints the Service has. */
      ready: countExpectation.optional(),
      /** How many endpoints are there but not ready (a pod failing its readiness probe). */
      notReady: countExpectation.optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('http'),
      /** Reached through the API server's service proxy, so it works without port-forward. */
      service: z.string(),
      port: z.union([z.number().int(), z.string()]),
      path: z.string().startsWith('/'),
      method: z.enum(['GET', 'POST']).default('GET'),
      body: z.unknown().optional(),
      expect: z
        .object({
          status: z.number().int().optional(),
          contains: z.string().optional(),
          json: z.array(fieldExpectation).optional(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('metric'),
      /** Pods whose /metrics are read (each through the pods proxy) and summed. */
      selector: z.string(),
      port: z.union([z.number().int(), z.string()]),
      path: z.string().startsWith('/').default('/metrics'),
      metric: z.string(),
      labels: z.record(z.string(), z.string()).optional(),
      as: z.string().optional(),
      expect: z.object({ atLeast: z.number().optional(), equals: z.number().optional() }).strict(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('logs'),
      /** What `kubectl logs` takes: `job/manual-batch`, `deployment/churn-api`, a pod name. */
      target: z.string(),
      container: z.string().optional(),
      pattern,
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('file'),
      /** What `kubectl exec` takes: `deployment/churn-api` or a pod name. */
      target: z.string(),
      container: z.string().optional(),
      directory: z.string().startsWith('/'),
      /** A regular expression one file name in the directory must match. */
      pattern,
    })
    .strict(),
]);
export type Check = z.infer<typeof checkSchema>;
export type CheckType = Check['type'];

// ---------------------------------------------------------------------------------------------
// Exercises

/** What changes when the lab runs on the simulated cluster, where it differs from kind. */
const simulatedOverride = z
  .object({
    instructions: markdown.optional(),
    commands: z.array(command).optional(),
    /** As many as the step's own hints: the learner's hint count holds in both modes. */
    hints: z.array(markdown).optional(),
    solution: z.array(command).optional(),
  })
  .strict();

export const stepSchema = z
  .object({
    id,
    title: z.string().min(1),
    instructions: markdown,
    /** The commands to type, shown so that they copy cleanly. */
    commands: z.array(command).default([]),
    checks: z
      .array(checkSchema)
      .min(1, 'a step needs at least one check, or the learner can never finish it'),
    /** Progressive hints: the first nudges, the last nearly gives the answer. */
    hints: z.array(markdown).min(1, 'give at least one hint'),
    /** The reference solution: the commands `solve` runs. */
    solution: z.array(command).min(1, 'give the reference solution'),
    simulated: simulatedOverride.optional(),
    /**
     * What changes for a classroom learner (`start --kubeconfig`), whose namespace and
     * cluster-wide objects the instructor made: the same fields as `simulated`.
     */
    classroom: simulatedOverride.optional(),
  })
  .strict()
  .refine(
    (step) => step.simulated?.hints === undefined || step.simulated.hints.length === step.hints.length,
    {
      message: 'simulated.hints must give as many hints as the step has, one for each',
      path: ['simulated', 'hints'],
    },
  )
  .refine(
    (step) => step.classroom?.hints === undefined || step.classroom.hints.length === step.hints.length,
    {
      message: 'classroom.hints must give as many hints as the step has, one for each',
      path: ['classroom', 'hints'],
    },
  );
export type Step = z.infer<typeof stepSchema>;

export const exerciseSchema = z
  .object({
    id,
    title: z.string().min(1),
    /** Which part of the course text (Section 19) this exercise teaches. */
    seed: z.string().min(1),
    intro: markdown,
    /** Each place where the lab departs from the course text, in one line. */
    differences: z.array(z.string()).default([]),
    /** Left out: the lab's namespace (churn-mlops, or a classroom learner's). */
    namespace: z.string().optional(),
    /** Exercises that must be done first (their state is what this one starts from). */
    requires: z.array(id).default([]),
    steps: z.array(stepSchema).min(1),
  })
  .strict()
  .superRefine((exercise, ctx) => {
    const stepIds = new Set<string>();
    exercise.steps.forEach((step, i) => {
      if (stepIds.has(step.id))
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'id'],
          message: `step id "${step.id}" is used twice`,
        });
      stepIds.add(step.id);
      const checkIds = new Set<string>();
      step.checks.forEach((check, j) => {
        if (checkIds.has(check.id))
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'checks', j, 'id'],
            message: `check id "${check.id}" is used twice in step "${step.id}"`,
          });
        checkIds.add(check.id);
        // stepIds holds this step and those before it; `since` must name one before.
        if (
          check.type === 'count' &&
          check.since !== undefined &&
          (check.since === step.id || !stepIds.has(check.since))
        )
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'checks', j, 'since'],
            message: `since "${check.since}" must name a step before "${step.id}"`,
          });
      });
    });
  });
/** An exercise of the course; an incident (labs/incidents/, see incident.ts) carries its page, break and reset. */
export type Exercise = z.infer<typeof exerciseSchema> & { incident?: IncidentPart };

// ---------------------------------------------------------------------------------------------
// Quizzes

const questionBase = {
  id: z.string().regex(/^q\d+$/, 'question ids are q1, q2, ...'),
  prompt: markdown,
  /** Shown after grading, with the model answer. */
  explanation: markdown,
  points: z.number().positive().default(1),
  /** Which learning objective of the section this question assesses. */
  objective: z.string().optional(),
};

/**
 * A regular expression an author writes for learners' text: it may not repeat a group that itself
 * repeats (`(a+)+`, `(\w*\s?)*`), the shape that backtracks for ever on an answer that almost
 * matches.
 */
const safePattern = pattern.refine((source) => !nestedQuantifier(source), {
  message: 'a repeated group that itself repeats can take for ever on some answers: write it without',
});

/** Whether a group with a quantifier inside is itself quantified. One pass over the source. */
export function nestedQuantifier(source: string): boolean {
  const inner: boolean[] = [false];
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // A character class: its * + ? { are characters.
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    const quantifier = c === '*' || c === '+' || (c === '{' && /^\{\d*,?\d*\}/.test(source.slice(i, i + 12)));
    if (c === '(') inner.push(false);
    else if (c === ')') {
      const had = inner.pop() ?? false;
      const next = source[i + 1];
      const repeated = next === '*' || next === '+' || next === '{';
      if (had && repeated) return true;
      if (had || repeated) inner[inner.length - 1] = true;
    } else if (quantifier) inner[inner.length - 1] = true;
  }
  return false;
}

/** A phrasing of a key point (see reading/phrasing.ts), checked when the content loads. */
const phrasing = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      parsePhrasing(source);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

const keyPoint = z
  .object({
    /** The point in the course's words, shown in feedback when it is missed. */
    point: z.string().min(1),
    /**
     * Statements that earn the point, each matched on one clause of the answer: groups of words
     * joined by " + " (all in the clause), or by " ... " (in this order in a sentence or a list).
     * See reading/phrasing.ts. Said with a negation, a statement contradicts the point.
     */
    says: z.array(phrasing).default([]),
    /** Statements that contradict the point: the other resource, the other probe, the wrong order. */
    denies: z.array(phrasing).default([]),
    /** Earned by a fix the answer proposes ("should run daily"), which other points ignore. */
    proposal: z.boolean().default(false),
    /** Naming it is saying it (a value the question asks for): a bare list of terms earns it too. */
    named: z.boolean().default(false),
    /**
     * Regular expressions (case-insensitive), matched against each clause as `says` is, for what
     * words do not put well (a cron schedule). No group that repeats may itself repeat.
     */
    accept: z.array(safePattern).default([]),
    /** Regular expressions matched as `denies` is. */
    reject: z.array(safePattern).default([]),
    weight: z.number().positive().default(1),
  })
  .strict()
  .refine((k) => k.says.length + k.accept.length > 0, {
    message: 'say how the point is earned: says (phrasings) or accept (regular expressions)',
  });
export type KeyPoint = z.infer<typeof keyPoint>;

/** A requirement of a YAML design answer, checked on the parsed documents. */
const rubricItem = z
  .object({
    id,
    /** The requirement in words, shown in feedback when it is missed. */
    requirement: z.string().min(1),
    /** The kind of document the requirement is about. */
    kind,
    /** Field expectations on that document; all must hold for some document of that kind. */
    fields: z.array(fieldExpectation).default([]),
    /** Cross-document links: the value at `path` must equal the name of a document of `kind`. */
    refers: z.array(z.object({ path: z.string(), kind }).strict()).default([]),
    weight: z.number().positive().default(1),
  })
  .strict();
export type RubricItem = z.infer<typeof rubricItem>;

export const questionSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...questionBase,
      type: z.literal('choice'),
      choices: z
        .array(z.object({ key: z.string().regex(/^[A-Z]$/), text: z.string().min(1) }).strict())
        .min(2),
      answer: z.string().regex(/^[A-Z]$/),
    })
    .strict(),
  z.object({ ...questionBase, type: z.literal('truefalse'), answer: z.boolean() }).strict(),
  z
    .object({
      ...questionBase,
      type: z.literal('short'),
      /**
       * What the answer's clauses are about, for phrasings that name one: a clause that names
       * none is about what the clause before it named ("When memory runs out, it is killed").
       */
      topics: z.array(z.string().min(1)).default([]),
      keyPoints: z.array(keyPoint).min(1),
      modelAnswer: markdown,
    })
    .strict(),
  z
    .object({
      ...questionBase,
      type: z.literal('yaml'),
      rubric: z.array(rubricItem).min(1),
      /**
       * Points for documents the API server would accept as they are (`kubectl apply` would
       * create them): the simulated cluster's validation runs on each one, and the feedback
       * quotes what it refuses ("selector does not match template labels").
       */
      accepted: z
        .object({
          requirement: z.string().min(1).default('the API server accepts every document as it is'),
          weight: z.number().positive().default(1),
        })
        .strict()
        .optional(),
      modelAnswer: markdown,
    })
    .strict(),
]);
export type Question = z.infer<typeof questionSchema>;

export const quizSchema = z
  .object({
    id,
    title: z.string().min(1),
    seed: z.string().min(1),
    questions: z.array(questionSchema).min(1),
  })
  .strict()
  .superRefine((quiz, ctx) => {
    const seen = new Set<string>();
    quiz.questions.forEach((q, i) => {
      if (seen.has(q.id))
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'id'],
          message: `question id "${q.id}" is used twice`,
        });
      seen.add(q.id);
      if (q.type === 'choice' && !q.choices.some((c) => c.key === q.answer))
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'answer'],
          message: `the answer "${q.answer}" is not one of the choices`,
        });
    });
  });
export type Quiz = z.infer<typeof quizSchema>;
