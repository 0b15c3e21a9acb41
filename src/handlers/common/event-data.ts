// Handler side: what onEvent tells isComplete in the event's Data: each resource's own deadline (one provider serves
// every model and endpoint of a stack).
import { DATA_DEADLINE } from '../../contract/import-properties';

/** The Data onEvent answers: when the handlers give up, in epoch milliseconds. */
export type EventData = { readonly [DATA_DEADLINE]: string };

/** The Data that carries the deadline `timeoutSeconds` from now. */
export function deadlineData(timeoutSeconds: number): EventData {
  return { [DATA_DEADLINE]: String(Date.now() + timeoutSeconds * 1000) };
}

/** The deadline carried in `data`, or undefined (the provider's own total timeout still applies). */
export function readDeadline(data: Partial<EventData> | undefined): number | undefined {
  const deadline = Number(data?.[DATA_DEADLINE]);
  return Number.isFinite(deadline) ? deadline : undefined;
}

/** Whether the deadline has passed. */
export function isPast(deadline: number | undefined): boolean {
  return deadline !== undefined && Date.now() > deadline;
}
