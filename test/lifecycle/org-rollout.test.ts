// An organization rollout end to end, offline: one environment-agnostic template deployed as StackSet instances, one per
// account (a cdk-stacksets StackSetStack synthesizes the same resources; test/stackset-stack.test.ts covers where its
// Lambda code comes from). The instances learn their account and Region only at deploy time, so the handlers check there
// what the construct could not at synth.
import { App, Aws, Stack } from 'aws-cdk-lib';
import { Harness, startHarness } from './harness';
import { ImportedComprehendModel, ModelType, SharedModelPolicy } from '../../src';
import { explainSourceRegion } from '../../src/contract/model-arn';
import { IMPORTER, REGION, SHARER, sharerStack, SOURCE_CLASSIFIER, STRANGER } from '../support/fixtures';

jest.setTimeout(120_000);

let h: Harness;
beforeEach(async () => {
  // The model is shared with IMPORTER only: STRANGER is the account that has just joined the organizational unit.
  h = await startHarness(11);
});
afterEach(async () => {
  await h.stop();
});

/** The StackSet's template: the source is the model version of the Region each instance deploys to. */
function stackSetTemplate(sourceModelArn = `arn:${Aws.PARTITION}:comprehend:${Aws.REGION}:${SHARER}:document-classifier/tickets/version/v1`): Stack {
  const stack = new Stack(new App(), 'ModelCopy');
  new ImportedComprehendModel(stack, 'Tickets', { sourceModelArn, modelType: ModelType.DOCUMENT_CLASSIFIER });
  return stack;
}

const copiesOf = (account: string) => h.emulator.modelsOf(account).map(m => `${m.arn} ${h.emulator.statusOf(m)}`);

test('an account that joins the OU before the share names it fails cleanly, and its retry imports once the sharer adds it', async () => {
  const named = await h.stackSetInstance(IMPORTER).deploy(stackSetTemplate());
  expect(named.failures).toEqual([]);
  expect(copiesOf(IMPORTER)).toEqual([expect.stringMatching(/ TRAINED$/)]);

  // Auto-deployment creates the newcomer's instance at once: the sharer's policy does not name it yet.
  const early = await h.stackSetInstance(STRANGER).deploy(stackSetTemplate());

  expect(early.status).toBe('ROLLBACK_COMPLETE');
  expect(early.failures).toHaveLength(1);
  expect(early.failures[0]).toContain(
    `ImportModel of ${SOURCE_CLASSIFIER} into account ${STRANGER} was refused: the model version's resource-based policy, in the ` +
    `sharer's account ${SHARER}, does not let account ${STRANGER} import it (yet). The sharer must add ${STRANGER} to that ` +
    'policy (importerAccounts of its SharedModelPolicy); then retry this stack instance',
  );
  // Nothing was imported, and the rollback's Delete of the failed create succeeds: no DELETE_FAILED to clear by hand.
  expect(copiesOf(STRANGER)).toEqual([]);
  expect(early.outcomes.map(o => `${o.requestType} ${o.status}`)).toEqual(['Create FAILED', 'Delete SUCCESS']);
  // In the newcomer's account: ImportModel is refused, and nothing else is called; the framework answers the rollback's
  // Delete of its placeholder, so no handler runs for it.
  const newcomer = h.emulator.calls.filter(c => c.account === STRANGER);
  expect(newcomer.filter(c => c.service === 'comprehend').map(c => `${c.operation} ${c.outcome}`))
    .toEqual(['ImportModel AccessDeniedException']);
  // CloudFormation's: the record read by the Create's onEvent, and the proof before ImportModel, its one mutating call.
  expect(newcomer.filter(c => c.service === 'cloudformation').map(c => `${c.operation} ${c.outcome}`))
    .toEqual(['DescribeStackResource OK', 'DescribeStackResource OK']);

  // The sharer adds the account; the statement the model had stays.
  const shared = await h.driver(SHARER).deploy(withShare([STRANGER]));
  expect(shared.failures).toEqual([]);

  const retried = await h.stackSetInstance(STRANGER).deploy(stackSetTemplate());

  expect(retried.failures).toEqual([]);
  expect(copiesOf(STRANGER)).toEqual([expect.stringMatching(new RegExp(`^arn:aws:comprehend:${REGION}:${STRANGER}:document-classifier/tickets/version/Tickets[0-9A-F]{8}-[0-9a-f]{16} TRAINED$`))]);
  expect(copiesOf(IMPORTER)).toHaveLength(1);
});

test('an instance in another Region than a source fixed in the template fails at deploy time with the synth-time words', async () => {
  const otherRegion = 'eu-west-1';
  const synthError = (() => {
    try {
      new ImportedComprehendModel(new Stack(new App(), 'Bound', { env: { account: STRANGER, region: otherRegion } }), 'Tickets', {
        sourceModelArn: SOURCE_CLASSIFIER,
      });
      return 'no error';
    } catch (error) {
      return (error as Error).message;
    }
  })();
  const words = explainSourceRegion(SOURCE_CLASSIFIER, REGION, otherRegion)!;
  expect(synthError).toContain(words);

  const result = await h.stackSetInstance(IMPORTER, otherRegion).deploy(stackSetTemplate(SOURCE_CLASSIFIER));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures).toEqual([expect.stringMatching(/^Tickets[0-9A-F]{8}: /)]);
  expect(result.failures[0]).toContain(words);
  expect(h.emulator.calls.filter(c => c.service === 'comprehend')).toEqual([]);
  // CloudFormation's: only the record the Create's onEvent reads before anything else, in the instance's Region.
  expect(h.emulator.calls.filter(c => c.service === 'cloudformation').map(c => `${c.operation} ${c.region} ${c.input.LogicalResourceId} ${c.outcome}`))
    .toEqual([expect.stringMatching(new RegExp(`^DescribeStackResource ${otherRegion} Tickets[0-9A-F]{8} OK$`))]);
});

/** The sharer's stack: the model's policy names `accounts` too, in a statement of its own. */
function withShare(accounts: string[]): Stack {
  const stack = sharerStack();
  new SharedModelPolicy(stack, 'ShareWithNewcomers', { modelArn: SOURCE_CLASSIFIER, importerAccounts: accounts });
  return stack;
}
