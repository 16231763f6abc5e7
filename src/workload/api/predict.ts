import { FEATURE_COUNT, FEATURES, type FeatureName } from '../dataset.js';

/** A /predict request that passed validation: features the caller gave, the rest left to imputation. */
export interface PredictRequest {
  userId: string;
  given: Partial<Record<FeatureName, number>>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: number; error: string };

const EXAMPLE = '{"user_id": "user123", "features": {"logins_7d": 15, "sessions_7d": 20}}';
const MAX_USER_ID = 200;

/** Checks a /predict body; every refusal is one sentence naming the field, for a 4xx answer. */
export function parsePredictRequest(body: string): Parsed<PredictRequest> {
  const fail = (error: string, status = 422): Parsed<PredictRequest> => ({ ok: false, status, error });
  if (body.trim() === '') return fail(`The request body is empty; send JSON like ${EXAMPLE}.`, 400);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return fail(
      `The request body is not valid JSON (${(error as Error).message}); send JSON like ${EXAMPLE}.`,
      400,
    );
  }
  if (!isObject(json)) return fail(`The request body must be a JSON object like ${EXAMPLE}.`);
  const userId = json.user_id;
  if (userId === undefined) return fail("The field user_id is missing; give the user's id as a string.");
  if (typeof userId !== 'string' || userId.trim() === '')
    return fail('The field user_id must be a non-empty string.');
  if (userId.length > MAX_USER_ID) return fail(`The field user_id is longer than ${MAX_USER_ID} characters.`);
  const features = json.features;
  if (features === undefined)
    return fail(`The field features is missing; give an object such as {"logins_7d": 15}.`);
  if (!isObject(features)) return fail('The field features must be an object of feature names to numbers.');
  const given: PredictRequest['given'] = {};
  for (const [name, value] of Object.entries(features)) {
    if (!(FEATURES as readonly string[]).includes(name)) {
      return fail(`Unknown feature "${name}"; the model knows ${FEATURES.join(', ')}.`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return fail(`The feature ${name} must be a number (got ${JSON.stringify(value)}).`);
    }
    if (value < 0) return fail(`The feature ${name} cannot be negative (got ${value}).`);
    given[name as FeatureName] = value;
  }
  if (Object.keys(given).length === 0) {
    return fail(`The field features is empty; give at least one of ${FEATURES.join(', ')}.`);
  }
  return { ok: true, value: { userId, given } };
}

/** The full feature row, each missing feature imputed with its training mean (the model's `means`). */
export function featureRow(given: PredictRequest['given'], means: readonly number[]): Float64Array {
  const row = new Float64Array(FEATURE_COUNT);
  FEATURES.forEach((name, index) => {
    row[index] = given[name] ?? means[index]!;
  });
  return row;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
