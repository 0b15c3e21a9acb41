// The synth-time Region check (src/private/comprehend-regions.ts): a warning for a Region code AWS does not publish and
// for a Region where Amazon Comprehend is not offered, from botocore's endpoint data, whatever the app's feature flags.
import * as fs from 'fs';
import * as path from 'path';
import { Annotations as ConstructAnnotations, App, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ImportedComprehendModel, ModelType, SharedModelPolicy } from '../src';
import { IMPORTER, SHARER } from './support/fixtures';
import { COMPREHEND_PARTITIONS } from '../src/contract/model-arn';
import { REGION_PATTERN } from '../src/private/arn-rules';
import {
  hasComprehend,
  partitionOfRegion,
  REGION_WITHOUT_COMPREHEND_WARNING,
  UNKNOWN_REGION_WARNING,
} from '../src/private/comprehend-regions';
import { BOTOCORE_VERSION, COMPREHEND_REGIONS, PARTITION_REGIONS } from '../src/private/comprehend-regions-data';

/** Every case runs under both settings of the flag that decides whether Stack.partition is a literal. */
const PARTITION_LITERALS = [true, false];

function newApp(partitionLiterals: boolean): App {
  return new App({ context: { '@aws-cdk/core:enablePartitionLiterals': partitionLiterals } });
}

/** A stack of `account` in `region`, or an environment-agnostic one (a StackSet's template, say) without a Region. */
function stackIn(app: App, region: string | undefined, id = 'Importer', account = IMPORTER): Stack {
  return new Stack(app, id, region === undefined ? {} : { env: { account, region } });
}

function partitionOf(region: string): string {
  return region.startsWith('us-gov-') ? 'aws-us-gov' : region.startsWith('cn-') ? 'aws-cn' : 'aws';
}

function classifierArn(region: string, account = SHARER, version = 'v1'): string {
  return `arn:${partitionOf(region)}:comprehend:${region}:${account}:document-classifier/tickets/version/${version}`;
}

/** A regexp that matches `text` literally. */
function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SOURCE = `botocore ${BOTOCORE_VERSION}'s endpoint data`;
const AWS_COMPREHEND_REGIONS = 'ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, ' +
  'eu-central-1, eu-west-1, eu-west-2, us-east-1, us-east-2, us-west-2';

/** The warning about a Region AWS does not publish, as `subject` names the Region. */
function unknownRegion(subject: string) {
  return Match.stringLikeRegexp(
    `^${literally(`${subject} not a Region AWS publishes (${SOURCE}); expected a Region code such as us-west-2. If the Region is ` +
      `newer than this library, acknowledge this warning: Annotations.of(scope).acknowledgeWarning('${UNKNOWN_REGION_WARNING}')`)}`,
  );
}

/** The warning about a Region of partition aws without Comprehend, as `subject` names the Region. */
function withoutComprehend(subject: string, region: string) {
  return Match.stringLikeRegexp(
    `^${literally(`${subject} a Region where Amazon Comprehend is not offered (${SOURCE}); expected a Region of partition aws ` +
      `where it is: ${AWS_COMPREHEND_REGIONS}. If Comprehend is now offered in ${region}, acknowledge this warning: ` +
      `Annotations.of(scope).acknowledgeWarning('${REGION_WITHOUT_COMPREHEND_WARNING}')`)}`,
  );
}

/** Either warning of the Region check, on any construct. */
const ANY_REGION_WARNING = Match.stringLikeRegexp(`${UNKNOWN_REGION_WARNING}|${REGION_WITHOUT_COMPREHEND_WARNING}`);

describe.each(PARTITION_LITERALS)('with @aws-cdk/core:enablePartitionLiterals %s', partitionLiterals => {
  describe('a stack whose Region AWS does not publish (eu-west-9)', () => {
    test('an import, its endpoint and a share warn, naming the stack\'s Region', () => {
      const app = newApp(partitionLiterals);
      const stack = stackIn(app, 'eu-west-9');
      const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: classifierArn('eu-west-9') });
      model.addEndpoint('Endpoint');
      const sharer = stackIn(app, 'eu-west-9', 'Sharer', SHARER);
      new SharedModelPolicy(sharer, 'Share', { modelArn: classifierArn('eu-west-9'), importerAccounts: [IMPORTER] });

      const warning = unknownRegion('this stack\'s Region "eu-west-9" is');
      Annotations.fromStack(stack).hasWarning('/Importer/Model', warning);
      Annotations.fromStack(stack).hasWarning('/Importer/Model/Endpoint', warning);
      Annotations.fromStack(sharer).hasWarning('/Sharer/Share', warning);
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(REGION_WITHOUT_COMPREHEND_WARNING));
    });
  });

  describe('a stack in a Region without Comprehend (us-west-1)', () => {
    test('an import, its endpoint and a share warn, naming the Regions of the partition where Comprehend is', () => {
      const app = newApp(partitionLiterals);
      const stack = stackIn(app, 'us-west-1');
      const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: classifierArn('us-west-1') });
      model.addEndpoint('Endpoint');
      const sharer = stackIn(app, 'us-west-1', 'Sharer', SHARER);
      new SharedModelPolicy(sharer, 'Share', { modelArn: classifierArn('us-west-1'), importerAccounts: [IMPORTER] });

      const warning = withoutComprehend('this stack\'s Region "us-west-1" is', 'us-west-1');
      Annotations.fromStack(stack).hasWarning('/Importer/Model', warning);
      Annotations.fromStack(stack).hasWarning('/Importer/Model/Endpoint', warning);
      Annotations.fromStack(sharer).hasWarning('/Sharer/Share', warning);
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(UNKNOWN_REGION_WARNING));
    });

    test('a Region of a partition without Comprehend (cn-north-1) names the partitions where it is', () => {
      const stack = stackIn(newApp(partitionLiterals), 'cn-north-1');
      ImportedComprehendModel.fromModelAttributes(stack, 'Source', { modelArn: Fn.importValue('ModelArn'), modelType: ModelType.DOCUMENT_CLASSIFIER })
        .addEndpoint('Endpoint');

      Annotations.fromStack(stack).hasWarning('/Importer/Source/Endpoint', Match.stringLikeRegexp(`^${literally(
        `this stack's Region "cn-north-1" is in partition aws-cn, where Amazon Comprehend is not offered (${SOURCE}); expected a ` +
        'Region of a partition where it is (aws, aws-us-gov, aws-iso, aws-iso-f). If Comprehend is now offered in cn-north-1, ' +
        `acknowledge this warning: Annotations.of(scope).acknowledgeWarning('${REGION_WITHOUT_COMPREHEND_WARNING}')`)}`));
    });
  });

  describe('an environment-agnostic stack (a StackSet\'s template) warns about the Region its ARN names', () => {
    test.each([
      ['eu-west-9', (subject: string) => unknownRegion(subject)],
      ['us-west-1', (subject: string) => withoutComprehend(subject, 'us-west-1')],
    ])('%s', (region, expected) => {
      const app = newApp(partitionLiterals);
      const stack = stackIn(app, undefined);
      const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: classifierArn(region) });
      model.addEndpoint('Endpoint');
      const sharer = stackIn(app, undefined, 'Sharer');
      new SharedModelPolicy(sharer, 'Share', { modelArn: classifierArn(region), importerAccounts: [IMPORTER] });

      Annotations.fromStack(stack).hasWarning('/Importer/Model', expected(`sourceModelArn "${classifierArn(region)}" is in Region "${region}", which is`));
      Annotations.fromStack(sharer).hasWarning('/Sharer/Share', expected(`modelArn "${classifierArn(region)}" is in Region "${region}", which is`));
      // The endpoint's Region is the stack's, known only at deploy time: its model warns.
      Annotations.fromStack(stack).hasNoWarning('/Importer/Model/Endpoint', ANY_REGION_WARNING);
    });

    test('an ARN whose Region is a token gives no warning', () => {
      const stack = stackIn(newApp(partitionLiterals), undefined);
      new ImportedComprehendModel(stack, 'Model', { sourceModelArn: Fn.importValue('ModelArn'), modelType: ModelType.DOCUMENT_CLASSIFIER })
        .addEndpoint('Endpoint');
      new SharedModelPolicy(stack, 'Share', { modelArn: Fn.importValue('SharedArn'), importerAccounts: [IMPORTER] });

      Annotations.fromStack(stack).hasNoWarning('*', ANY_REGION_WARNING);
    });
  });

  test.each(['us-west-2', 'eu-west-1', 'us-gov-west-1', 'us-east-1'])('no warning in %s, where Comprehend is offered', region => {
    const app = newApp(partitionLiterals);
    const stack = stackIn(app, region);
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: classifierArn(region) }).addEndpoint('Endpoint');
    const sharer = stackIn(app, region, 'Sharer', SHARER);
    new SharedModelPolicy(sharer, 'Share', { modelArn: classifierArn(region), importerAccounts: [IMPORTER] });
    const agnostic = stackIn(app, undefined, 'StackSet');
    new ImportedComprehendModel(agnostic, 'Model', { sourceModelArn: classifierArn(region) });

    for (const s of [stack, sharer, agnostic]) {
      Annotations.fromStack(s).hasNoWarning('*', Match.anyValue());
    }
  });

  describe('acknowledged, the warnings are gone', () => {
    test.each([
      ['eu-west-9', UNKNOWN_REGION_WARNING],
      ['us-west-1', REGION_WITHOUT_COMPREHEND_WARNING],
    ])('%s: on the construct or the app after it warned, or on the stack before', (region, id) => {
      const stack = stackIn(newApp(partitionLiterals), region);
      const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: classifierArn(region) });
      model.addEndpoint('Endpoint');
      ConstructAnnotations.of(model).acknowledgeWarning(id);
      Annotations.fromStack(stack).hasNoWarning('*', ANY_REGION_WARNING);

      const app = newApp(partitionLiterals);
      const agnostic = stackIn(app, undefined, 'StackSet');
      new ImportedComprehendModel(agnostic, 'Model', { sourceModelArn: classifierArn(region) });
      ConstructAnnotations.of(app).acknowledgeWarning(id);
      Annotations.fromStack(agnostic).hasNoWarning('*', ANY_REGION_WARNING);

      // aws-cdk-lib looks for an acknowledgement made before the warning on the construct and its scopes, the app's
      // root excepted: before, it is the stack (or a Stage) that acknowledges.
      const sharer = stackIn(newApp(partitionLiterals), region, 'Sharer', SHARER);
      ConstructAnnotations.of(sharer).acknowledgeWarning(id);
      new SharedModelPolicy(sharer, 'Share', { modelArn: classifierArn(region), importerAccounts: [IMPORTER] });
      Annotations.fromStack(sharer).hasNoWarning('*', ANY_REGION_WARNING);
    });

    test('acknowledging one warning leaves the other', () => {
      const app = newApp(partitionLiterals);
      const stack = stackIn(app, 'us-west-1');
      ConstructAnnotations.of(stack).acknowledgeWarning(UNKNOWN_REGION_WARNING);
      new ImportedComprehendModel(stack, 'Model', { sourceModelArn: classifierArn('us-west-1') });

      Annotations.fromStack(stack).hasWarning('/Importer/Model', withoutComprehend('this stack\'s Region "us-west-1" is', 'us-west-1'));
    });
  });
});

describe('the Region data (botocore\'s, written by projenrc/comprehend-regions.py)', () => {
  const allRegions = Object.values(PARTITION_REGIONS).flat();

  test('is from the botocore CI pins (.ci/run), which checks it with --check', () => {
    const ciRun = fs.readFileSync(path.join(__dirname, '..', '.ci', 'run'), 'utf8');
    expect(ciRun).toContain(`"botocore==${BOTOCORE_VERSION}"`);
    expect(ciRun).toMatch(/projenrc\/comprehend-regions\.py --check/);
  });

  test('Comprehend is offered in us-west-2, us-east-1, eu-west-1 and us-gov-west-1, not in us-west-1 or us-gov-east-1', () => {
    for (const region of ['us-west-2', 'us-east-1', 'eu-west-1', 'us-gov-west-1']) {
      expect([region, hasComprehend(region)]).toEqual([region, true]);
    }
    for (const region of ['us-west-1', 'us-gov-east-1', 'cn-north-1', 'eu-west-9']) {
      expect([region, hasComprehend(region)]).toEqual([region, false]);
    }
    expect(partitionOfRegion('us-west-1')).toBe('aws');
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('eu-west-9')).toBeUndefined();
  });

  test('every Comprehend Region is a Region of its partition', () => {
    for (const [partition, regions] of Object.entries(COMPREHEND_REGIONS)) {
      for (const region of regions) {
        expect([region, partitionOfRegion(region)]).toEqual([region, partition]);
      }
    }
  });

  test('the partitions with a Comprehend Region are those whose model ARNs are accepted (COMPREHEND_PARTITIONS)', () => {
    expect(Object.keys(COMPREHEND_REGIONS).sort()).toEqual([...COMPREHEND_PARTITIONS].sort());
  });

  test('every Region is a Region code (REGION_PATTERN), of one partition, without botocore\'s pseudo-Regions or fips- aliases', () => {
    for (const region of allRegions) {
      expect(region).toMatch(REGION_PATTERN);
    }
    expect(new Set(allRegions).size).toBe(allRegions.length);
    expect(allRegions).not.toContain('aws-global');
    expect(Object.values(COMPREHEND_REGIONS).flat().filter(region => region.startsWith('fips-'))).toEqual([]);
  });
});
