// Contract tests of endpoints the importer makes on its copies. Each endpoint has one inference unit and lives no
// longer than its test needs: on AWS every minute of it is billed. Cleanups delete endpoints before the copies.
import {
  DeleteDocumentClassifierCommand, DeleteEndpointCommand, DescribeEndpointCommand, UpdateEndpointCommand,
} from '@aws-sdk/client-comprehend';
import { assumption } from './assumption';
import {
  attempt, createEndpoint, errorName, importCopy, shareSource, trainedCopy, USABLE_STATUSES, waitForModel, waitInService, waitUpdating,
  WAITS_FOR_ENDPOINT,
} from './steps';

assumption('update-busy-endpoint', async target => {
  const client = target.importer.comprehend;
  const endpoint = await createEndpoint(target, 'update-busy', await trainedCopy(target, 'update-busy'));
  await waitInService(target, endpoint);
  await client.send(new UpdateEndpointCommand({ EndpointArn: endpoint, DesiredInferenceUnits: 2 }));
  // The first update is still going on (once Describe shows it): a second one must wait for it.
  const status = await waitUpdating(target, endpoint);
  if (status !== 'UPDATING') {
    return `never UPDATING after UpdateEndpoint (${status})`;
  }
  return errorName(client.send(new UpdateEndpointCommand({ EndpointArn: endpoint, DesiredInferenceUnits: 1 })));
}, WAITS_FOR_ENDPOINT);

assumption('describe-endpoint-during-swap', async target => {
  const client = target.importer.comprehend;
  await shareSource(target);
  // Both imports run at once: on AWS each takes minutes.
  const [a, b] = await Promise.all([importCopy(target, 'swap-a'), importCopy(target, 'swap-b')]);
  await Promise.all([a, b].map(arn => waitForModel(target, client, arn, USABLE_STATUSES)));
  const endpoint = await createEndpoint(target, 'swap', a);
  await waitInService(target, endpoint);
  await client.send(new UpdateEndpointCommand({ EndpointArn: endpoint, DesiredModelArn: b }));
  // Describe may lag behind the call: what it shows once it shows the update.
  await waitUpdating(target, endpoint);
  const properties = (await client.send(new DescribeEndpointCommand({ EndpointArn: endpoint }))).EndpointProperties ?? {};
  const which = (arn: string | undefined, old: string, now: string) => arn === a ? old : arn === b ? now : String(arn);
  return `${properties.Status}, ModelArn ${which(properties.ModelArn, 'the old model', 'the new model')}, `
    + `DesiredModelArn ${which(properties.DesiredModelArn, 'the old', 'the new')}`;
}, WAITS_FOR_ENDPOINT);

assumption('endpoint-on-untrained-model', async target => {
  await shareSource(target);
  const copy = await importCopy(target, 'endpoint-untrained');
  // The copy is still SUBMITTED. Should the endpoint be accepted anyway, it goes before the copy.
  const created = await attempt(createEndpoint(target, 'endpoint-untrained', copy));
  return created.name;
}, WAITS_FOR_ENDPOINT);

assumption('delete-busy-endpoint', async target => {
  const endpoint = await createEndpoint(target, 'delete-busy', await trainedCopy(target, 'delete-busy'));
  // Still CREATING: the cleanup deletes it once it may.
  return errorName(target.importer.comprehend.send(new DeleteEndpointCommand({ EndpointArn: endpoint })));
}, WAITS_FOR_ENDPOINT);

assumption('delete-served-model', async target => {
  const copy = await trainedCopy(target, 'delete-served');
  const endpoint = await createEndpoint(target, 'delete-served', copy);
  await waitInService(target, endpoint);
  return errorName(target.importer.comprehend.send(new DeleteDocumentClassifierCommand({ DocumentClassifierArn: copy })));
}, WAITS_FOR_ENDPOINT);
