import { convergeSuite } from './converge.js';

// The first half of the course. The second half, slower, is solutions-converge-2.long.test.ts.
convergeSuite('converge', [], ['deploy-system', 'test-api', 'batch-job', 'scale-api', 'rolling-update']);
