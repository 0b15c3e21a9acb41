import { IConstruct } from 'constructs';

/** How a warning of the library tells its reader to acknowledge it (the id is also in the `[ack: …]` CDK appends). */
export function howToAcknowledge(id: string): string {
  return `Annotations.of(scope).acknowledgeWarning('${id}')`;
}

/**
 * Runs `check`, which adds warnings, when the app is synthesized: once the tree is complete (models, endpoints, VPC
 * endpoints and removal policies may come after the construct that is checked). A validation may only return errors;
 * the warnings are annotations, which each stack's artifact collects after validation. The same warning added again
 * (a second synth) is one, and an acknowledgement made before synth keeps it out (addWarningV2).
 */
export function warnAtSynth(scope: IConstruct, check: () => void): void {
  scope.node.addValidation({
    validate: () => {
      check();
      return [];
    },
  });
}
