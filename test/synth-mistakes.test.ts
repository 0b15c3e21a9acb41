// Mistakes a newcomer makes that synth can know (issue 34): an error where the value can only be wrong, an acknowledgeable
// warning where a rare user may mean it. Every case runs under both settings of the flag that decides how aws-cdk-lib
// writes the partition of the ARNs it formats: no check may depend on it.
import { App, RemovalPolicies, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as comprehend from 'aws-cdk-lib/aws-comprehend';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Annotations as ConstructAnnotations } from 'aws-cdk-lib/core';
import { ImportedComprehendModel, ModelType, SharedModelPolicy } from '../src';
import { IMPORTER, REGION, SHARER, SHARER_KEY, SOURCE_CLASSIFIER, SOURCE_CLASSIFIER_V2 } from './support/fixtures';

const PARTITION_LITERALS = '@aws-cdk/core:enablePartitionLiterals';
const OTHER_IMPORTER = '222233334444';

describe.each([false, true])(`with ${PARTITION_LITERALS} %s`, (partitionLiterals) => {
  const newApp = () => new App({ context: { [PARTITION_LITERALS]: partitionLiterals } });
  const stackOf = (account: string, app = newApp(), id = account === SHARER ? 'Sharer' : 'Importer') =>
    new Stack(app, id, { env: { account, region: REGION } });
  /** Stages of one app: the sharer's and the importer's. */
  const oneApp = () => {
    const app = newApp();
    const sharer = new Stack(new Stage(app, 'Factory', { env: { account: SHARER, region: REGION } }), 'Sharer');
    const importer = new Stack(new Stage(app, 'Prod', { env: { account: IMPORTER, region: REGION } }), 'Importer');
    return { app, sharer, importer };
  };
  const warningsOf = (stack: Stack, id: string) =>
    Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: cdk-comprehend-model-import:${id}\\]`));

  describe('SharedModelPolicy: each importer once, and not the sharer', () => {
    const share = (stack: Stack, props: { importerAccounts?: string[]; importerPrincipals?: iam.IPrincipal[] }) =>
      new SharedModelPolicy(stack, 'Share', { modelArn: SOURCE_CLASSIFIER, ...props });

    test.each([
      ['an account twice', { importerAccounts: [IMPORTER, OTHER_IMPORTER, IMPORTER] },
        `importerAccounts[2] "${IMPORTER}" names account ${IMPORTER}, as importerAccounts[0] "${IMPORTER}" does; expected each importer once`],
      ['an account as an ID and as an AccountPrincipal', { importerAccounts: [IMPORTER], importerPrincipals: [new iam.AccountPrincipal(IMPORTER)] },
        `importerPrincipals[0] (AccountPrincipal(${IMPORTER})) names account ${IMPORTER}, as importerAccounts[0] "${IMPORTER}" does`],
      ['an account as an ID and as its root ARN', { importerAccounts: [IMPORTER], importerPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${IMPORTER}:root`)] },
        `importerPrincipals[0] (ArnPrincipal(arn:aws:iam::${IMPORTER}:root)) names account ${IMPORTER}`],
      ['a role twice, once by a formatted ARN', {
        importerPrincipals: [
          new iam.ArnPrincipal(`arn:aws:iam::${IMPORTER}:role/importer`),
          iam.Role.fromRoleName(stackOf(IMPORTER), 'Role', 'importer'),
        ],
      }, `names arn:PARTITION:iam::${IMPORTER}:role/importer, as importerPrincipals[0]`],
    ])('%s is an error', (_, props, message) => {
      expect(() => share(stackOf(SHARER), props)).toThrow(message);
    });

    test('in an environment-agnostic stack, the sharer is the model ARN\'s account, and AccountRootPrincipal is it', () => {
      for (const props of [{ importerAccounts: [SHARER] }, { importerAccounts: [IMPORTER], importerPrincipals: [new iam.AccountRootPrincipal()] }]) {
        const stack = new Stack(newApp(), 'Sharer');
        share(stack, props);
        Annotations.fromStack(stack).hasWarning('/Sharer/Share', Match.stringLikeRegexp(`is the sharer's own account ${SHARER}`));
      }
    });

    test('one account and one of its roles, or two accounts, pass', () => {
      const stack = stackOf(SHARER);
      share(stack, { importerAccounts: [IMPORTER, OTHER_IMPORTER], importerPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${IMPORTER}:role/importer`)] });
      expect(warningsOf(stack, 'sharerAmongImporters')).toEqual([]);
    });

    test.each([
      ['its account ID', { importerAccounts: [SHARER, IMPORTER] }, `importerAccounts\\[0\\] "${SHARER}" is the sharer's own account ${SHARER}`],
      ['an AccountRootPrincipal', { importerAccounts: [IMPORTER], importerPrincipals: [new iam.AccountRootPrincipal()] },
        `importerPrincipals\\[0\\] \\(AccountRootPrincipal\\(\\)\\) is the sharer's own account ${SHARER}`],
    ])('the sharer itself among the importers, as %s, is a warning until acknowledged', (_, props, message) => {
      const stack = stackOf(SHARER);
      share(stack, props);
      Annotations.fromStack(stack).hasWarning('/Sharer/Share', Match.stringLikeRegexp(
        `${message} \\(this stack's\\): the policy lets other accounts import the model, .* remove it, or correct the account ID`));

      const acknowledged = stackOf(SHARER);
      ConstructAnnotations.of(share(acknowledged, props)).acknowledgeWarning('cdk-comprehend-model-import:sharerAmongImporters');
      expect(warningsOf(acknowledged, 'sharerAmongImporters')).toEqual([]);
    });
  });

  describe('ImportedComprehendModel', () => {
    test('the same source imported twice in one stack is a warning on the second, until acknowledged', () => {
      const stack = stackOf(IMPORTER);
      new ImportedComprehendModel(stack, 'First', { sourceModelArn: SOURCE_CLASSIFIER });
      new ImportedComprehendModel(stack, 'Second', { sourceModelArn: SOURCE_CLASSIFIER });
      new ImportedComprehendModel(stack, 'OtherVersion', { sourceModelArn: SOURCE_CLASSIFIER_V2 });

      Annotations.fromStack(stack).hasWarning('/Importer/Second', Match.stringLikeRegexp(
        `sourceModelArn "${SOURCE_CLASSIFIER}" is imported by Importer/First too: each ImportedComprehendModel makes a copy of its own`));
      expect(warningsOf(stack, 'sourceImportedTwice').map(w => w.id)).toEqual(['/Importer/Second']);

      const acknowledged = stackOf(IMPORTER);
      new ImportedComprehendModel(acknowledged, 'First', { sourceModelArn: SOURCE_CLASSIFIER });
      ConstructAnnotations.of(new ImportedComprehendModel(acknowledged, 'Second', { sourceModelArn: SOURCE_CLASSIFIER }))
        .acknowledgeWarning('cdk-comprehend-model-import:sourceImportedTwice');
      expect(warningsOf(acknowledged, 'sourceImportedTwice')).toEqual([]);
    });

    test('the same source in two stacks is no warning (one copy each)', () => {
      const app = newApp();
      const stacks = [stackOf(IMPORTER, app, 'A'), stackOf(IMPORTER, app, 'B')];
      stacks.forEach(stack => new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER }));
      expect(stacks.flatMap(stack => warningsOf(stack, 'sourceImportedTwice'))).toEqual([]);
    });

    test.each([
      ['{}', {}],
      ['an empty minimum', { minimum: {} }],
      ['allowMissingMetrics alone', { allowMissingMetrics: true }],
      ['noWorseThanReplaced: false alone', { noWorseThanReplaced: false }],
    ])('a quality gate that sets no bound, %s, is an error', (_, qualityGate) => {
      expect(() => new ImportedComprehendModel(stackOf(IMPORTER), 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, qualityGate }))
        .toThrow(`Importer/Copy: qualityGate sets no bound (${JSON.stringify(qualityGate)}), so it would judge nothing but whether ` +
          'the copy reports metrics; expected at least one of minimum');
    });

    test('a quality gate with one bound, or only noWorseThanReplaced, passes', () => {
      const stack = stackOf(IMPORTER);
      new ImportedComprehendModel(stack, 'A', { sourceModelArn: SOURCE_CLASSIFIER, qualityGate: { minimum: { f1Score: 0.8 } } });
      new ImportedComprehendModel(stack, 'B', { sourceModelArn: SOURCE_CLASSIFIER_V2, qualityGate: { noWorseThanReplaced: true } });
      Template.fromStack(stack).resourceCountIs('Custom::ComprehendImportedModel', 2);
    });

    test.each([
      ['RETAIN', RemovalPolicy.RETAIN, 'Retain'],
      ['RETAIN_ON_UPDATE_OR_DELETE', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'RetainExceptOnCreate'],
    ])('%s with a fixed versionName is a warning until acknowledged, however the policy is set', (_, removalPolicy, rendered) => {
      const stack = stackOf(IMPORTER);
      new ImportedComprehendModel(stack, 'Fixed', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'live', removalPolicy });
      new ImportedComprehendModel(stack, 'Later', { sourceModelArn: SOURCE_CLASSIFIER_V2, versionName: 'live2' }).applyRemovalPolicy(removalPolicy);
      for (const id of ['Fixed', 'Later']) {
        Annotations.fromStack(stack).hasWarning(`/Importer/${id}`, Match.stringLikeRegexp(
          `DeletionPolicy ${rendered} \\(removalPolicy\\) keeps the copy tickets/version/live2? when the stack is deleted, and its ` +
          'versionName is fixed: the stack deployed again after a delete finds that name taken'));
      }

      const acknowledged = stackOf(IMPORTER);
      ConstructAnnotations.of(new ImportedComprehendModel(acknowledged, 'Fixed', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'live', removalPolicy }))
        .acknowledgeWarning('cdk-comprehend-model-import:retainedFixedVersion');
      expect(warningsOf(acknowledged, 'retainedFixedVersion')).toEqual([]);
    });

    test('the policy the resource ends with decides: RemovalPolicies.of() warns, RETAIN then DESTROY does not', () => {
      const stack = stackOf(IMPORTER);
      new ImportedComprehendModel(stack, 'ByAspect', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'live' });
      RemovalPolicies.of(stack).retain();
      expect(warningsOf(stack, 'retainedFixedVersion').map(w => w.id)).toEqual(['/Importer/ByAspect']);

      const changed = stackOf(IMPORTER);
      const model = new ImportedComprehendModel(changed, 'Changed', { sourceModelArn: SOURCE_CLASSIFIER, versionName: 'live' });
      model.applyRemovalPolicy(RemovalPolicy.RETAIN);
      model.applyRemovalPolicy(RemovalPolicy.DESTROY);
      expect(warningsOf(changed, 'retainedFixedVersion')).toEqual([]);
    });

    test('RETAIN without a fixed versionName, or DESTROY with one, is no warning', () => {
      const stack = stackOf(IMPORTER);
      new ImportedComprehendModel(stack, 'Retained', { sourceModelArn: SOURCE_CLASSIFIER, modelName: 'tickets-copy', removalPolicy: RemovalPolicy.RETAIN });
      new ImportedComprehendModel(stack, 'Fixed', { sourceModelArn: SOURCE_CLASSIFIER_V2, versionName: 'live' });
      expect(warningsOf(stack, 'retainedFixedVersion')).toEqual([]);
    });
  });

  describe('one app with both sides', () => {
    test('importing v2 while the app shares only v1 of that model is a warning on the import, until acknowledged', () => {
      const { app, sharer, importer } = oneApp();
      new SharedModelPolicy(sharer, 'ShareV1', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER] });
      new ImportedComprehendModel(importer, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER_V2 });
      app.synth();
      Annotations.fromStack(importer).hasWarning('/Prod/Importer/Copy', Match.stringLikeRegexp(
        `Prod/Importer/Copy imports version v2 of arn:aws:comprehend:${REGION}:${SHARER}:document-classifier/tickets, but the ` +
        'app shares only v1 \\(Factory/Sharer/ShareV1\\) of that model: a share names one version, so ImportModel of v2 fails'));

      const again = oneApp();
      new SharedModelPolicy(again.sharer, 'ShareV1', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER] });
      ConstructAnnotations.of(new ImportedComprehendModel(again.importer, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER_V2 }))
        .acknowledgeWarning('cdk-comprehend-model-import:unsharedVersion');
      again.app.synth();
      expect(warningsOf(again.importer, 'unsharedVersion')).toEqual([]);
    });

    test('the version the app shares, or a model the app does not share at all, is no warning', () => {
      const { app, sharer, importer } = oneApp();
      new SharedModelPolicy(sharer, 'ShareV1', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER] });
      new ImportedComprehendModel(importer, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER });
      new ImportedComprehendModel(importer, 'Other', { sourceModelArn: SOURCE_CLASSIFIER.replace('tickets', 'invoices') });
      app.synth();
      expect(warningsOf(importer, 'unsharedVersion')).toEqual([]);
    });

    test('a sourceModelKey for a version the app shares without a key is a warning, until acknowledged', () => {
      const { app, sharer, importer } = oneApp();
      new SharedModelPolicy(sharer, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER] });
      new ImportedComprehendModel(importer, 'Copy', {
        sourceModelArn: SOURCE_CLASSIFIER, sourceModelKey: kms.Key.fromKeyArn(importer, 'SharerKey', SHARER_KEY),
      });
      app.synth();
      Annotations.fromStack(importer).hasWarning('/Prod/Importer/Copy', Match.stringLikeRegexp(
        `Prod/Importer/Copy passes sourceModelKey "${SHARER_KEY}", but Factory/Sharer/Share shares ${SOURCE_CLASSIFIER} without ` +
        'modelKey, so no key policy lets the importers use a key for it'));

      const again = oneApp();
      new SharedModelPolicy(again.sharer, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER] });
      ConstructAnnotations.of(new ImportedComprehendModel(again.importer, 'Copy', {
        sourceModelArn: SOURCE_CLASSIFIER, sourceModelKey: kms.Key.fromKeyArn(again.importer, 'SharerKey', SHARER_KEY),
      })).acknowledgeWarning('cdk-comprehend-model-import:sourceKeyWithoutSharedKey');
      again.app.synth();
      expect(warningsOf(again.importer, 'sourceKeyWithoutSharedKey')).toEqual([]);
    });

    test('keys compared whatever the flag: the sharer\'s key by a literal ARN, the import\'s formatted by aws-cdk-lib', () => {
      const { app, sharer, importer } = oneApp();
      new SharedModelPolicy(sharer, 'Share', {
        modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER], modelKey: kms.Key.fromKeyArn(sharer, 'Key', SHARER_KEY),
      });
      const otherKey = importer.formatArn({ service: 'kms', account: SHARER, resource: 'key', resourceName: '9999abcd-12ab-34cd-56ef-1234567890ab' });
      new ImportedComprehendModel(importer, 'Copy', { sourceModelArn: SOURCE_CLASSIFIER, sourceModelKey: kms.Key.fromKeyArn(importer, 'SharerKey', otherKey) });
      expect(() => app.synth()).toThrow(`Prod/Importer/Copy passes sourceModelKey ${SHARER_KEY.replace('1234abcd', '9999abcd')}, but ` +
        `Factory/Sharer/Share says ${SOURCE_CLASSIFIER} is encrypted with ${SHARER_KEY}; pass the key that encrypts the model`);
    });

    test('a share with the key, and an import with it, is no warning', () => {
      const { app, sharer, importer } = oneApp();
      new SharedModelPolicy(sharer, 'Share', {
        modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER], modelKey: kms.Key.fromKeyArn(sharer, 'Key', SHARER_KEY),
      });
      new ImportedComprehendModel(importer, 'Copy', {
        sourceModelArn: SOURCE_CLASSIFIER, sourceModelKey: kms.Key.fromKeyArn(importer, 'SharerKey', SHARER_KEY),
      });
      app.synth();
      expect(warningsOf(importer, 'sourceKeyWithoutSharedKey')).toEqual([]);
    });
  });

  describe('ARNs aws-cdk-lib formats are read the same under both settings', () => {
    test.each([
      ['Alias.fromAliasName()', (stack: Stack) => kms.Alias.fromAliasName(stack, 'Alias', 'alias/models'), 'modelKey is a KMS alias (alias/models)'],
      // Its aliasName is a reference to the alias resource, so the message cannot quote it.
      ['a kms.Alias', (stack: Stack) => new kms.Alias(stack, 'Alias', { aliasName: 'alias/models', targetKey: new kms.Key(stack, 'Key') }),
        'modelKey is a KMS alias; expected the key itself'],
      ['Key.fromKeyArn() with an alias ARN', (stack: Stack) => kms.Key.fromKeyArn(stack, 'Alias', `arn:aws:kms:${REGION}:${SHARER}:alias/models`),
        'modelKey is a KMS alias; expected the key itself'],
    ])('SharedModelPolicy refuses %s as modelKey', (_, aliasOf, message) => {
      const stack = stackOf(SHARER);
      expect(() => new SharedModelPolicy(stack, 'Share', { modelArn: SOURCE_CLASSIFIER, importerAccounts: [IMPORTER], modelKey: aliasOf(stack) }))
        .toThrow(message);
    });

    test('an ImportedComprehendModel refuses an alias as sourceModelKey or modelKey', () => {
      const stack = stackOf(IMPORTER);
      expect(() => new ImportedComprehendModel(stack, 'A', {
        sourceModelArn: SOURCE_CLASSIFIER, sourceModelKey: kms.Alias.fromAliasName(stack, 'SharerAlias', 'alias/shared'),
      })).toThrow('sourceModelKey is a KMS alias (alias/shared)');
      expect(() => new ImportedComprehendModel(stack, 'B', {
        sourceModelArn: SOURCE_CLASSIFIER, modelKey: kms.Alias.fromAliasName(stack, 'Alias', 'alias/mine'),
      })).toThrow('modelKey is a KMS alias (alias/mine)');
    });

    test('a source ARN from Stack.formatArn() is a known ARN: its Region is checked, its type read, the template the same', () => {
      const formatted = (stack: Stack, region = REGION) => stack.formatArn({
        service: 'comprehend', region, account: SHARER, resource: 'document-classifier', resourceName: 'tickets/version/v1',
      });
      const stack = stackOf(IMPORTER);
      const copy = new ImportedComprehendModel(stack, 'Copy', { sourceModelArn: formatted(stack) });
      expect(copy.modelType).toBe(ModelType.DOCUMENT_CLASSIFIER);
      // Rendered as given: the partition a reference without the flag, as aws-cdk-lib's own resources render it.
      Template.fromStack(stack).hasResourceProperties('Custom::ComprehendImportedModel', { SourceModelArn: stack.resolve(formatted(stack)) });

      const other = stackOf(IMPORTER);
      expect(() => new ImportedComprehendModel(other, 'Copy', { sourceModelArn: formatted(other, 'eu-west-1') }))
        .toThrow('is in Region eu-west-1, but the stack is in us-west-2; Comprehend imports only within one Region');
    });

    test('a share of a classifier of its stack, and its key, read the same', () => {
      const stack = stackOf(SHARER);
      const key = new kms.Key(stack, 'Key');
      const classifier = new comprehend.CfnDocumentClassifier(stack, 'Tickets', {
        documentClassifierName: 'tickets',
        versionName: 'v1',
        languageCode: 'en',
        dataAccessRoleArn: `arn:aws:iam::${SHARER}:role/training`,
        inputDataConfig: { s3Uri: 's3://amzn-s3-demo-bucket/train.csv' },
        modelKmsKeyId: key.keyArn,
      });
      new SharedModelPolicy(stack, 'Share', { documentClassifier: classifier, importerAccounts: [IMPORTER], modelKey: key });
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'] })]) },
      });
    });
  });
});
