import type { Quiz } from '../course/schema.js';
import { usageError } from '../errors.js';
import type { Lab } from '../lab.js';

export async function runQuiz(_lab: Lab, quiz: Quiz): Promise<number> {
  throw usageError(
    `The interactive quiz is not built yet; grade a file instead: churn-labs quiz ${quiz.id} --answers FILE`,
  );
}
