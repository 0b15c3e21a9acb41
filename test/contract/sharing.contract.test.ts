// Contract tests of the source's resource-based policy, as the sharer puts and reads it.
import { DescribeResourcePolicyCommand, PutResourcePolicyCommand } from '@aws-sdk/client-comprehend';
import { assumption } from './assumption';
import { errorName, removeSourcePolicyOnClose, sharePolicy, unshareSource } from './steps';

assumption('stored-policy-principal', async target => {
  const client = target.sharer.comprehend;
  removeSourcePolicyOnClose(target);
  await client.send(new PutResourcePolicyCommand({ ResourceArn: target.sourceClassifierArn, ResourcePolicy: sharePolicy(target) }));
  const stored = await client.send(new DescribeResourcePolicyCommand({ ResourceArn: target.sourceClassifierArn }));
  // The library compares the stored policy with the one it wrote: a principal IAM rewrote would look like a change.
  const statements = [JSON.parse(stored.ResourcePolicy ?? '{}').Statement ?? []].flat();
  const principals = statements.flatMap((s: any) => [s.Principal?.AWS ?? []].flat()).map(String);
  const account = target.importer.accountId;
  if (principals.length === 1 && principals[0] === account) {
    return 'as written';
  }
  if (principals.length === 1 && principals[0] === `arn:${target.partition}:iam::${account}:root`) {
    return 'rewritten to the root ARN';
  }
  return `stored as ${JSON.stringify(principals)}`;
});

assumption('stale-policy-revision', async target => {
  const client = target.sharer.comprehend;
  const put = (sid: string, policyRevisionId?: string) => client.send(new PutResourcePolicyCommand({
    ResourceArn: target.sourceClassifierArn, ResourcePolicy: sharePolicy(target, sid), PolicyRevisionId: policyRevisionId,
  }));
  removeSourcePolicyOnClose(target);
  // A new policy takes no revision: start from none.
  await unshareSource(target);
  const first = (await put('ContractFirst')).PolicyRevisionId;
  await put('ContractSecond', first);
  // The first revision is stale now: a writer that read it must not overwrite the second.
  return errorName(put('ContractThird', first));
});
