import { IConstruct } from 'constructs';
import { explainInvalidModelArn, ModelArnParts, parseModelArn } from '../contract/model-arn';

/** An error for a prop that cannot work, located at the construct that received it. */
export function invalidProp(message: string, scope: IConstruct): Error {
  return new Error(`${scope.node.path}: ${message}`);
}

/** The parts of `arn`, a model ARN known at synth time, or an error that names `prop`. */
export function requireModelArn(prop: string, arn: string, scope: IConstruct): ModelArnParts {
  const problem = explainInvalidModelArn(prop, arn);
  if (problem) {
    throw invalidProp(problem, scope);
  }
  return parseModelArn(arn)!;
}
