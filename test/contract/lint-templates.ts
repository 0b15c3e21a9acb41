// The CloudFormation templates the AWS side of the contract tests deploys without the CDK (the rollback rows' stack,
// the run's fixtures stack) are written out for CI's cfn-lint step when CONTRACT_TEMPLATES_DIR is set (.ci/run), so
// that CloudFormation's resource schemas check them, as they check every template the library synthesizes.
import * as fs from 'fs';
import * as path from 'path';

export function keepForCfnLint(name: string, template: Record<string, unknown>): void {
  const dir = process.env.CONTRACT_TEMPLATES_DIR;
  if (dir) {
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(template, undefined, 1));
  }
}
