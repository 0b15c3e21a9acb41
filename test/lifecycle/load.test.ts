import { runLoad } from './load-scenario';

jest.setTimeout(300_000);

test('50 copies in one stack, at most 5 requests per second per operation: every copy is TRAINED, nothing fails', async () => {
  const figures = await runLoad(50, 5);

  expect(figures.failures).toEqual([]);
  expect(figures.status).toBe('COMPLETE');
  expect(figures.trained).toBe(50);
  // The limit really was hit, and absorbed by retries rather than surfaced.
  expect(figures.throttled).toBeGreaterThan(0);
  // Exactly one import went through per copy.
  expect(figures.calls.ImportModel.ok).toBe(50);
});
