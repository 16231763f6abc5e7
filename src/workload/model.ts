import { readFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import { UserError } from '../errors.js';
import { type Dataset, FEATURE_COUNT, FEATURES } from './dataset.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { deriveSeed, Random } from './random.js';

/** A trained logistic regression, as saved to <artifacts>/models/<version>.json. */
export const modelFileSchema = z.object({
  format: z.literal(1),
  kind: z.literal('logistic_regression'),
  version: z.string().check(z.minLength(1)),
  created_at: z.string(),
  features: z.array(z.string()).check(z.refine((names) => names.join() === FEATURES.join())),
  means: z.array(z.number()).check(z.length(FEATURE_COUNT)),
  stds: z.array(z.number().check(z.positive())).check(z.length(FEATURE_COUNT)),
  weights: z.array(z.number()).check(z.length(FEATURE_COUNT)),
  bias: z.number(),
  training: z.object({
    data: z.string(),
    rows: z.number(),
    held_out_rows: z.number(),
    seed: z.number(),
    l2: z.number(),
    iterations: z.number(),
  }),
  metrics: z.object({ auc: z.number(), accuracy: z.number(), log_loss: z.number(), rows: z.number() }),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

export interface TrainOptions {
  seed: number;
  l2?: number;
  iterations?: number;
  learningRate?: number;
}

export interface Coefficients {
  means: number[];
  stds: number[];
  weights: number[];
  bias: number;
}

/**
 * Batch gradient descent on standardized features with an L2 penalty. Standardizing lets one
 * learning rate suit counts in the tens and tenures in the thousands; the means double as the
 * values /predict imputes for features a request leaves out.
 */
export function train(data: Dataset, rows: ArrayLike<number>, options: TrainOptions): Coefficients {
  const { l2 = 0.01, iterations = 400, learningRate = 0.5 } = options;
  const n = rows.length;
  const means = new Array<number>(FEATURE_COUNT).fill(0);
  const stds = new Array<number>(FEATURE_COUNT).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < FEATURE_COUNT; j++) means[j]! += data.features[rows[i]! * FEATURE_COUNT + j]! / n;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < FEATURE_COUNT; j++)
      stds[j]! += (data.features[rows[i]! * FEATURE_COUNT + j]! - means[j]!) ** 2 / n;
  }
  for (let j = 0; j < FEATURE_COUNT; j++) stds[j] = Math.sqrt(stds[j]!) || 1;

  const x = new Float64Array(n * FEATURE_COUNT);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < FEATURE_COUNT; j++) {
      x[i * FEATURE_COUNT + j] = (data.features[rows[i]! * FEATURE_COUNT + j]! - means[j]!) / stds[j]!;
    }
    y[i] = data.labels[rows[i]!]!;
  }
  const random = new Random(deriveSeed(options.seed, 'weights'));
  const weights = Array.from({ length: FEATURE_COUNT }, () => random.normal() * 0.01);
  let bias = 0;
  const gradient = new Float64Array(FEATURE_COUNT);
  for (let step = 0; step < iterations; step++) {
    gradient.fill(0);
    let biasGradient = 0;
    for (let i = 0; i < n; i++) {
      let z = bias;
      for (let j = 0; j < FEATURE_COUNT; j++) z += weights[j]! * x[i * FEATURE_COUNT + j]!;
      const error = sigmoid(z) - y[i]!;
      biasGradient += error;
      for (let j = 0; j < FEATURE_COUNT; j++) gradient[j]! += error * x[i * FEATURE_COUNT + j]!;
    }
    bias -= (learningRate * biasGradient) / n;
    for (let j = 0; j < FEATURE_COUNT; j++) {
      weights[j]! -= learningRate * (gradient[j]! / n + l2 * weights[j]!);
    }
  }
  return { means, stds, weights, bias };
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The churn probability of one user; `values` holds the features in FEATURES order. */
export function churnProbability(model: Coefficients, values: ArrayLike<number>): number {
  let z = model.bias;
  for (let j = 0; j < FEATURE_COUNT; j++)
    z += (model.weights[j]! * (values[j]! - model.means[j]!)) / model.stds[j]!;
  return sigmoid(z);
}

export function scoreRows(model: Coefficients, data: Dataset, rows: ArrayLike<number>): Float64Array {
  const scores = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    scores[i] = churnProbability(
      model,
      data.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT),
    );
  }
  return scores;
}

export function evaluateOn(
  model: Coefficients,
  data: Dataset,
  rows: ArrayLike<number>,
  threshold: number,
): Evaluation {
  const labels = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) labels[i] = data.labels[rows[i]!]!;
  return evaluate(scoreRows(model, data, rows), labels, threshold);
}

/** Reads a model file; `shown` is its path as the container sees it, for the message. */
export async function readModelFile(file: string, shown: string): Promise<ModelFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'cannot be read';
    throw new UserError(`The model file ${shown} ${reason}; run seed-model (or train-candidate) again.`, 1);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`The model file ${shown} is not valid JSON; delete it and train again.`, 1);
  }
  const result = modelFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new UserError(`The model file ${shown} is not a churn-mlops model; delete it and train again.`, 1);
  }
  return result.data;
}
