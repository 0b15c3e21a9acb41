// A stack of a user's app, as its own tests see it (tickets-stack.test.ts): a copy of the model factory's
// support-tickets classifier, encrypted there with the factory's key, served from an endpoint that triage calls.
import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ImportedComprehendModel } from '../../src';

export interface TicketsStackProps extends StackProps {
  /** The model version the model factory shares with this account. */
  readonly sourceModelArn: string;
  /** The model factory's key that encrypts it (its stack's output). */
  readonly sourceModelKeyArn: string;
}

/** The ticket triage: a copy of the shared classifier, an endpoint, and the role of the function that classifies. */
export class TicketsStack extends Stack {
  public readonly triageRole: iam.Role;

  constructor(scope: Construct, id: string, props: TicketsStackProps) {
    super(scope, id, props);

    const tickets = new ImportedComprehendModel(this, 'Tickets', {
      sourceModelArn: props.sourceModelArn,
      sourceModelKey: kms.Key.fromKeyArn(this, 'FactoryKey', props.sourceModelKeyArn),
      tags: { team: 'support' },
    });
    const endpoint = tickets.addEndpoint('Live', { desiredInferenceUnits: 1 });

    this.triageRole = new iam.Role(this, 'Triage', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Classifies incoming tickets',
    });
    endpoint.grantInference(this.triageRole);
  }
}
