// The encrypted model in one app (examples/encrypted-one-app.ts): phase 1 without the sharer's key ARN, phase 2 with
// it, and a wrong ARN refused before anything deploys.
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  defineEncryptedOneApp,
  EncryptedOneAppSettings,
  modelVersionArn,
  settingsFromContext,
  SHARER_KEY_CONTEXT,
} from './encrypted-one-app';
import { ImportedComprehendModel } from '../src';

const SHARER = '111122223333';
const IMPORTER = '444455556666';
const REGION = 'us-west-2';
const KEY_ARN = `arn:aws:kms:${REGION}:${SHARER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const MODEL_ARN = `arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/support-tickets/version/v1`;

/** The app as `cdk synth -c KEY=VALUE` builds it: the settings come from the context. */
function encryptedApp(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  const settings: EncryptedOneAppSettings = settingsFromContext(app);
  return { app, settings, ...defineEncryptedOneApp(app, settings) };
}

/** The model version's ARN as the sharer's stack writes it (its partition a reference). */
const MODEL_ARN_IN_SHARER = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:comprehend:${REGION}:${SHARER}:document-classifier/support-tickets/version/v1`]] };
const IMPORTER_ROOT = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${IMPORTER}:root`]] } };

describe('phase 1: no key ARN yet', () => {
  test('only the sharer\'s Stage, which says why the importer\'s is left out and what to pass', () => {
    const { app, sharer, importer } = encryptedApp();

    const assembly = app.synth();

    expect(importer).toBeUndefined();
    expect(assembly.nestedAssemblies.map(nested => nested.directoryName)).toEqual(['assembly-ModelFactory']);
    expect(assembly.getNestedAssembly('assembly-ModelFactory').stacks.map(stack => stack.stackName)).toEqual(['ModelFactory-Sharer']);
    Annotations.fromStack(sharer).hasInfo('/ModelFactory/Sharer', Match.stringLikeRegexp(
      `The Serving stage \\(account ${IMPORTER}\\) is left out: .* -c ${SHARER_KEY_CONTEXT}=arn:aws:kms:${REGION}:${SHARER}:key/KEY_ID`));
    // An info: `cdk synth --strict` fails on warnings, and phase 1 has nothing to warn about.
    Annotations.fromStack(sharer).hasNoWarning('*', Match.anyValue());
  });

  test('the classifier is encrypted with the key, whose policy lets the importer use it for this model version only', () => {
    const template = Template.fromStack(encryptedApp().sharer);

    template.hasResourceProperties('AWS::Comprehend::DocumentClassifier', {
      DocumentClassifierName: 'support-tickets',
      VersionName: 'v1',
      ModelKmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelKey'), 'Arn'] },
      // The share's policy, a Fn::Join (the importer's principal names the partition by reference).
      ModelPolicy: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: Match.stringLikeRegexp('^ComprehendImportDecrypt'),
            Principal: IMPORTER_ROOT,
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'aws:SourceArn': MODEL_ARN_IN_SHARER } },
          }),
          Match.objectLike({
            Sid: Match.stringLikeRegexp('^ComprehendImportCreateGrant'),
            Principal: IMPORTER_ROOT,
            Action: 'kms:CreateGrant',
            Condition: { StringEquals: { 'kms:EncryptionContext:aws:comprehend:arn': MODEL_ARN_IN_SHARER } },
          }),
        ]),
      },
    });
    // What phase 2 is given.
    template.hasOutput('ModelKeyArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ModelKey'), 'Arn'] } });
  });
});

describe('phase 2: the key ARN as context', () => {
  test('both Stages synthesize, and the app\'s cross-checks of the share and the import pass', () => {
    const { app, settings, importer } = encryptedApp({ [SHARER_KEY_CONTEXT]: KEY_ARN });

    const assembly = app.synth();

    expect(modelVersionArn(settings)).toBe(MODEL_ARN);
    expect(importer?.node.path).toBe('Serving/Importer');
    expect(assembly.nestedAssemblies.map(nested => nested.directoryName)).toEqual(['assembly-ModelFactory', 'assembly-Serving']);
    expect(assembly.getNestedAssembly('assembly-Serving').stacks.map(stack => stack.stackName)).toEqual(['Serving-Importer']);
  });

  test('the cross-checks do see the share: an import from an account the share does not name fails synth', () => {
    const { app } = encryptedApp({ [SHARER_KEY_CONTEXT]: KEY_ARN });
    const elsewhere = new Stack(new Stage(app, 'Elsewhere', { env: { account: '222233334444', region: REGION } }), 'Importer');
    new ImportedComprehendModel(elsewhere, 'SupportTickets', {
      sourceModelArn: MODEL_ARN,
      sourceModelKey: kms.Key.fromKeyArn(elsewhere, 'SharerModelKey', KEY_ARN),
    });

    expect(() => app.synth()).toThrow(`ModelFactory/Sharer/ShareSupportTickets lets only ${IMPORTER} import it`);
  });

  test('Comprehend\'s service role for the import may use exactly the sharer\'s key, and the import passes it', () => {
    const template = Template.fromStack(encryptedApp({ [SHARER_KEY_CONTEXT]: KEY_ARN }).importer!);

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'comprehend.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': IMPORTER } },
        })],
      },
      // Arrays match whole: these two statements and no other, each on the one key.
      Policies: [{
        PolicyName: 'ModelImportKeys',
        PolicyDocument: {
          Statement: [
            { Action: 'kms:CreateGrant', Effect: 'Allow', Resource: KEY_ARN },
            {
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Effect: 'Allow',
              Resource: KEY_ARN,
              Condition: { StringEquals: { 'kms:ViaService': [`s3.${REGION}.amazonaws.com`] } },
            },
          ],
        },
      }],
    });
    template.hasResourceProperties('Custom::ComprehendImportedModel', {
      SourceModelArn: MODEL_ARN,
      DataAccessRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ComprehendImportServiceRole'), 'Arn'] },
      // The copy gets an AWS owned key: no key of the importer is named.
      ModelKmsKeyId: Match.absent(),
    });
  });
});

describe('a wrong key ARN fails the synth', () => {
  test.each([
    ['an alias', `arn:aws:kms:${REGION}:${SHARER}:alias/support-tickets`,
      'Serving/Importer/SupportTickets: sourceModelKey is a KMS alias; expected the key itself'],
    ['a key of a third account', KEY_ARN.replace(SHARER, '999988887777'),
      `Serving/Importer/SupportTickets: sourceModelKey "${KEY_ARN.replace(SHARER, '999988887777')}" is a key of account 999988887777, ` +
      `which is neither the source model's account (${SHARER}`],
    ['a key of another Region', KEY_ARN.replace(REGION, 'eu-west-1'),
      `Serving/Importer/SupportTickets: sourceModelKey "${KEY_ARN.replace(REGION, 'eu-west-1')}" is a key of Region eu-west-1, but ` +
      `sourceModelArn "${MODEL_ARN}" is in ${REGION}`],
  ])('%s: refused by the library, naming the import', (_, keyArn, message) => {
    expect(() => encryptedApp({ [SHARER_KEY_CONTEXT]: keyArn })).toThrow(message);
  });

  // What `-c sharerModelKeyArn="$(node -p …)"` passes when the outputs file lacks the output: aws-cdk-lib refuses it.
  test.each(['', 'undefined'])('not an ARN at all: "%s"', keyArn => {
    expect(() => encryptedApp({ [SHARER_KEY_CONTEXT]: keyArn })).toThrow(/ARNs must start with "arn:"/);
  });

  test('a value that is not a string (cdk.json holds JSON)', () => {
    expect(() => encryptedApp({ [SHARER_KEY_CONTEXT]: { arn: KEY_ARN } })).toThrow(`${SHARER_KEY_CONTEXT} must be the ARN of the sharer's model key, a string`);
  });
});
