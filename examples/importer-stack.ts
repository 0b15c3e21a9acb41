import { Duration, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ImportedComprehendModel } from '../src';

/** What the sharer account hands over: the model version ARNs and, for an encrypted model, its key. */
export interface ImporterStackProps extends StackProps {
  /** A document classifier version shared with an AWS owned key. */
  readonly classifierArn: string;
  /** An entity recognizer version shared encrypted with the sharer's customer managed key. */
  readonly recognizerArn: string;
  /** The sharer's key that encrypts the recognizer. */
  readonly recognizerKeyArn: string;
}

/** The importer account: copies two shared models into its own account. */
export class ImporterStack extends Stack {
  constructor(scope: Construct, id: string, props: ImporterStackProps) {
    super(scope, id, props);

    // An AWS owned key on both sides: no service role is needed.
    new ImportedComprehendModel(this, 'SupportTickets', {
      sourceModelArn: props.classifierArn,
      tags: { team: 'support' },
    });

    // The sharer's customer managed key in, our own customer managed key out.
    const modelKey = new kms.Key(this, 'ModelKey', {
      description: 'Encrypts the imported entity recognizer',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new ImportedComprehendModel(this, 'ProductNames', {
      sourceModelArn: props.recognizerArn,
      sourceModelKey: kms.Key.fromKeyArn(this, 'SharerKey', props.recognizerKeyArn),
      modelKey,
      modelName: 'product-names',
      removalPolicy: RemovalPolicy.RETAIN,
      timeout: Duration.minutes(30),
    });

    Tags.of(this).add('cost-center', 'nlp');
  }
}
