// Handler side: each model's own timeout, carried from onEvent to isComplete in the event's Data.
import { DATA_DEADLINE } from '../shared/import-properties';

/** The Data that carries the deadline `timeoutSeconds` from now. */
export function deadlineData(timeoutSeconds: number): Record<string, string> {
  return { [DATA_DEADLINE]: String(Date.now() + timeoutSeconds * 1000) };
}

/** The deadline carried in `data`, or undefined (the provider's own total timeout still applies). */
export function readDeadline(data: Record<string, unknown> | undefined): number | undefined {
  const deadline = Number(data?.[DATA_DEADLINE]);
  return Number.isFinite(deadline) ? deadline : undefined;
}

/** Whether the deadline has passed. */
export function isPast(deadline: number | undefined): boolean {
  return deadline !== undefined && Date.now() > deadline;
}
