// Which contract-test observation the current code runs in, and whether its test gave up on it (assumption.ts). An
// observation that outlives its time must not go on beside the next test: the target's waits and clients ask here and
// refuse to go on. Cleanups run outside any observation, so nothing stops them.
import { AsyncLocalStorage } from 'async_hooks';

interface ObservationState {
  abandoned: boolean;
}

const observations = new AsyncLocalStorage<ObservationState>();

/** Runs `observe` as an observation; the returned `abandon()` makes its later waits and calls throw. */
export function runObservation<T>(observe: () => Promise<T>): { readonly result: Promise<T>; readonly abandon: () => void } {
  const state: ObservationState = { abandoned: false };
  return { result: observations.run(state, observe), abandon: () => { state.abandoned = true; } };
}

/** Throws when the code calling it runs in an observation its test gave up on. */
export function stopIfAbandoned(): void {
  if (observations.getStore()?.abandoned) {
    throw new Error('the test gave up on this observation (it took longer than its time): it stops here');
  }
}
