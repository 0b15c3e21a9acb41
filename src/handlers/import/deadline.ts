// Handler side: each model's own timeout, carried from onEvent to isComplete in the event's Data.
import { DATA_DEADLINE } from '../../contract/import-properties';

/** The Data onEvent answers: when the handlers give up, in epoch milliseconds. */
export type DeadlineData = { readonly [DATA_DEADLINE]: string };

/** The Data that carries the deadline `timeoutSeconds` from now. */
export function deadlineData(timeoutSeconds: number): DeadlineData {
  return { [DATA_DEADLINE]: String(Date.now() + timeoutSeconds * 1000) };
}

/** The deadline carried in `data`, or undefined (the provider's own total timeout still applies). */
export function readDeadline(data: Partial<DeadlineData> | undefined): number | undefined {
  const deadline = Number(data?.[DATA_DEADLINE]);
  return Number.isFinite(deadline) ? deadline : undefined;
}

/** Whether the deadline has passed. */
export function isPast(deadline: number | undefined): boolean {
  return deadline !== undefined && Date.now() > deadline;
}
