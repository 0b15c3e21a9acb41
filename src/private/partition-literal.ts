import { Aws, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/**
 * `value` with its partition written out where it holds the `AWS::Partition` reference that aws-cdk-lib puts in the ARNs
 * it formats (`Stack.formatArn()`, `Arn.format()` without a partition, `Alias.fromAliasName()`, `Role.fromRoleName()`)
 * unless the app sets `@aws-cdk/core:enablePartitionLiterals`, and the stack's Region, so its partition, is known:
 * aws-cdk-lib writes the same partition itself under that flag. The constructs check ARNs through this, so that what
 * they refuse does not depend on the flag, and render them as given, as aws-cdk-lib renders its own resources. Any
 * other token (an import, a parameter, `Aws.REGION`) leaves `value` as it is, to be checked by the handlers at deploy
 * time.
 */
export function withPartitionLiteral(scope: IConstruct, value: string): string {
  if (!Token.isUnresolved(value) || !value.includes(Aws.PARTITION)) {
    return value;
  }
  const region = Stack.of(scope).region;
  const partition = Token.isUnresolved(region) ? undefined : RegionInfo.get(region).partition;
  if (partition === undefined) {
    return value;
  }
  const literal = value.split(Aws.PARTITION).join(partition);
  return Token.isUnresolved(literal) ? value : literal;
}
