// An encrypted model, both sides in one app: the model factory's Stage trains a classifier under a customer managed
// key of its own and shares both; the serving account's Stage imports a copy, which must name that key. The key's ARN
// exists only once the key is deployed, in another account than the import's, so the app hands it over as a string, in
// two phases, each with its account's credentials (not tried against AWS yet):
//
//   1. The model factory. Its output ModelKeyArn is the key's ARN:
//        npx -y aws-cdk@2 deploy 'ModelFactory/*' --outputs-file sharer-outputs.json
//   2. The serving account, given that ARN as context (or once in cdk.json's "context": it never changes while the key
//      exists):
//        npx -y aws-cdk@2 deploy 'Serving/*' \
//          -c sharerModelKeyArn="$(node -p "require('./sharer-outputs.json')['ModelFactory-Sharer'].ModelKeyArn")"
//
// A stack of a Stage is selected by its path, STAGE/STACK: `--all` selects only the app's top-level stacks, and a
// plain `cdk synth` lists none of these ("Supply a stack id ()"); '**' selects every stack of every Stage.
//
// Why not a reference to the key itself: across accounts, aws-cdk-lib renders one as Fn::GetStackOutput, with an IAM
// role in the sharer's account for the importer's deployments to assume; and between Stages, the sharer's Stage (the
// first) is written before the importer's reference adds that output and role to it (docs/one-app.md).
//
// In this repository (cdk.json has no "app"): `npx projen synth:encrypted` synthesizes phase 1 to
// examples/cdk.out.encrypted, and `npx projen synth:encrypted -c sharerModelKeyArn=ARN` phase 2.
import { Annotations, App, CfnOutput, Stack, StackProps, Stage } from 'aws-cdk-lib';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ImportedComprehendModel, SharedModelPolicy } from '../src';

/** The context key that carries the sharer's key ARN into phase 2. */
export const SHARER_KEY_CONTEXT = 'sharerModelKeyArn';

/** Who is who, and what phase 1 handed over. */
export interface EncryptedOneAppSettings {
  readonly region: string;
  /** The model factory: trains the classifier and shares it. */
  readonly sharerAccount: string;
  /** The serving account: imports a copy. */
  readonly importerAccount: string;
  /** The bucket that holds the classifier's training data, in the sharer's account. */
  readonly trainingBucketName: string;
  /** The ARN of the sharer's model key, once phase 1 has deployed it; without it the serving Stage is left out. */
  readonly sharerModelKeyArn?: string;
}

/** The model version the factory trains and the serving account copies. */
export function modelVersionArn(settings: EncryptedOneAppSettings): string {
  return `arn:aws:comprehend:${settings.region}:${settings.sharerAccount}:document-classifier/support-tickets/version/v1`;
}

/** The settings from the app's context (`-c KEY=VALUE` or cdk.json), with the example's accounts by default. */
export function settingsFromContext(app: App): EncryptedOneAppSettings {
  const sharerAccount = app.node.tryGetContext('sharerAccount') ?? '111122223333';
  const sharerModelKeyArn: unknown = app.node.tryGetContext(SHARER_KEY_CONTEXT);
  // cdk.json may hold any JSON value; what the ARN says is checked by the library, where the import takes it.
  if (sharerModelKeyArn !== undefined && typeof sharerModelKeyArn !== 'string') {
    throw new Error(`${SHARER_KEY_CONTEXT} must be the ARN of the sharer's model key, a string; got ${JSON.stringify(sharerModelKeyArn)}`);
  }
  return {
    region: app.node.tryGetContext('region') ?? 'us-west-2',
    sharerAccount,
    importerAccount: app.node.tryGetContext('importerAccount') ?? '444455556666',
    trainingBucketName: app.node.tryGetContext('trainingBucket') ?? `comprehend-training-${sharerAccount}`,
    sharerModelKeyArn,
  };
}

export interface EncryptedSharerStackProps extends StackProps {
  readonly importerAccount: string;
  readonly trainingBucketName: string;
}

/** The model factory: a classifier under a customer managed key of its own, shared with the serving account. */
export class EncryptedSharerStack extends Stack {
  public readonly modelKey: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptedSharerStackProps) {
    super(scope, id, props);

    // Kept when it leaves the stack (kms.Key's default): the importer names it by its ARN, which a new key changes.
    this.modelKey = new kms.Key(this, 'ModelKey', {
      description: 'Encrypts the support-tickets classifier, and lets the serving account import it',
      enableKeyRotation: true,
    });
    // Comprehend trains with this role: it reads the training data and encrypts the model with the key.
    const trainingRole = new iam.Role(this, 'TrainingRole', {
      assumedBy: new iam.ServicePrincipal('comprehend.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
    });
    s3.Bucket.fromBucketName(this, 'TrainingData', props.trainingBucketName).grantRead(trainingRole);
    this.modelKey.grant(trainingRole, 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey');
    const classifier = new comprehend.CfnDocumentClassifier(this, 'SupportTickets', {
      documentClassifierName: 'support-tickets',
      versionName: 'v1',
      languageCode: 'en',
      dataAccessRoleArn: trainingRole.roleArn,
      inputDataConfig: { s3Uri: `s3://${props.trainingBucketName}/support-tickets/train.csv` },
      modelKmsKeyId: this.modelKey.keyArn,
    });
    // On the role's policy too (the GetAtt covers only the role): training reads the data as soon as it starts.
    classifier.node.addDependency(trainingRole);

    // The classifier's ModelPolicy, and the key-policy statements that let the serving account use the key for this
    // model only.
    const share = new SharedModelPolicy(this, 'ShareSupportTickets', {
      documentClassifier: classifier,
      importerAccounts: [props.importerAccount],
      modelKey: this.modelKey,
    });

    // What phase 2 needs: the key's ARN (the model version's ARN is known to the app already).
    new CfnOutput(this, 'ModelKeyArn', { value: this.modelKey.keyArn });
    new CfnOutput(this, 'SupportTicketsVersionArn', { value: share.modelArn });
  }
}

export interface EncryptedImporterStackProps extends StackProps {
  readonly sourceModelArn: string;
  /** The sharer's model key, as phase 1 output it. */
  readonly sharerModelKeyArn: string;
}

/** The serving account: a copy of the encrypted classifier. */
export class EncryptedImporterStack extends Stack {
  public readonly copy: ImportedComprehendModel;

  constructor(scope: Construct, id: string, props: EncryptedImporterStackProps) {
    super(scope, id, props);

    // The library checks the key it is given: a key, not an alias (IAM matches a key's ARN only), of the model's
    // Region, and of the model's account (or this one). Comprehend's service role for the import may use it. A modelKey
    // of this account would encrypt the copy with a key of ours; without one the copy gets an AWS owned key.
    this.copy = new ImportedComprehendModel(this, 'SupportTickets', {
      sourceModelArn: props.sourceModelArn,
      sourceModelKey: kms.Key.fromKeyArn(this, 'SharerModelKey', props.sharerModelKeyArn),
    });
    new CfnOutput(this, 'SupportTicketsCopyArn', { value: this.copy.modelArn });
  }
}

/** The app's two Stages, or one in phase 1. */
export interface EncryptedOneApp {
  readonly sharer: EncryptedSharerStack;
  /** Absent until the sharer's key ARN is given. */
  readonly importer?: EncryptedImporterStack;
}

/**
 * One app, a Stage per account. Synth cross-checks the share and the import of the same model version across the
 * Stages: the serving account must be among the share's importers, and the import must name a key, as the share does.
 */
export function defineEncryptedOneApp(app: App, settings: EncryptedOneAppSettings): EncryptedOneApp {
  const { region, sharerAccount, importerAccount } = settings;
  const factory = new Stage(app, 'ModelFactory', { env: { account: sharerAccount, region } });
  const sharer = new EncryptedSharerStack(factory, 'Sharer', {
    importerAccount,
    trainingBucketName: settings.trainingBucketName,
  });

  if (settings.sharerModelKeyArn === undefined) {
    // Phase 1: the key does not exist yet, so neither does the import. Leaving its Stage out (rather than failing) lets
    // every command of phase 1 run, `cdk deploy 'ModelFactory/*'` included, since the CLI runs the whole app for any
    // stack it selects. An info, not a warning: the absence is expected, and a warning would fail `cdk synth --strict`.
    Annotations.of(sharer).addInfo(
      `The Serving stage (account ${importerAccount}) is left out: its import needs the ARN of this stack's model key ` +
      '(the output ModelKeyArn), which exists once this stack is deployed. Deploy this stack, then pass the ARN: ' +
      `-c ${SHARER_KEY_CONTEXT}=arn:aws:kms:${region}:${sharerAccount}:key/KEY_ID (or set it in cdk.json's context).`);
    return { sharer };
  }

  const serving = new Stage(app, 'Serving', { env: { account: importerAccount, region } });
  const importer = new EncryptedImporterStack(serving, 'Importer', {
    sourceModelArn: modelVersionArn(settings),
    sharerModelKeyArn: settings.sharerModelKeyArn,
  });
  return { sharer, importer };
}

// Run as an app (cdk synth, cdk deploy); imported by its test, it builds nothing by itself.
if (require.main === module) {
  const app = new App();
  defineEncryptedOneApp(app, settingsFromContext(app));
  app.synth();
}
