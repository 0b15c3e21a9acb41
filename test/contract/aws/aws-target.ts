// The contract tests' target in two real AWS accounts (CONTRACT_TARGET=aws, set by `npx projen contract:aws`).
import { ContractTarget } from '../target';

export async function openAwsTarget(): Promise<ContractTarget> {
  throw new Error('not written yet');
}
