import { IConstruct } from 'constructs';

/** An error for a prop that cannot work, located at the construct that received it. */
export function invalidProp(message: string, scope: IConstruct): Error {
  return new Error(`${scope.node.path}: ${message}`);
}
