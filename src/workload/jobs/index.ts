export { batchScore } from './batch-score.js';
export { checkDrift } from './check-drift.js';
export { promoteModel } from './promote-model.js';
export { seedModel } from './seed-model.js';
export { trainCandidate } from './train-candidate.js';
