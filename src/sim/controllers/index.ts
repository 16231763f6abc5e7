import { startKubelet } from '../kubelet/index.js';
import type { ControllerOptions, Controllers, StartControllers } from '../runtime-api.js';
import type { Store } from '../store.js';
import { startControlPlane } from './control-plane.js';

export { type ControlPlane, type ControlPlaneOptions, startControlPlane } from './control-plane.js';
export { SimClock } from './sim-clock.js';

/**
 * Starts the simulated cluster's moving parts on a store: the node (the kubelet, which also serves
 * the Runtime the API server uses) and the control plane. `stop()` ends the controllers first, so
 * nothing reacts to pods going away, then every pod process.
 */
export const startControllers: StartControllers = (
  store: Store,
  options: ControllerOptions & { log?: (line: string) => void },
): Controllers => {
  const kubelet = startKubelet(store, options);
  let controlPlane: ReturnType<typeof startControlPlane>;
  try {
    controlPlane = startControlPlane(store, kubelet, options);
  } catch (error) {
    void kubelet.stop();
    throw error;
  }
  return {
    runtime: kubelet,
    async stop() {
      controlPlane.stop();
      await kubelet.stop();
    },
  };
};
