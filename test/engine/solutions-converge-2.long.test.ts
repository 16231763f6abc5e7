import { convergeSuite } from './converge.js';

// The second half of the course (several minutes: a long-suite candidate).
convergeSuite(
  'converge-long',
  ['deploy-system', 'scale-api'],
  ['cronjob-admin', 'health-probes', 'resources-qos', 'persistent-storage', 'autoscale-load'],
);
