import { CfnOutput, CfnParameter, Lazy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { EvaluationMetric, ImportedComprehendModel, ImportedComprehendModelProps, ModelType, QualityGate } from '../src';
import { importerStack, SOURCE_CLASSIFIER, SOURCE_RECOGNIZER } from './support/fixtures';

function build(props: Partial<ImportedComprehendModelProps>) {
  const stack = importerStack();
  const model = new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE_CLASSIFIER, ...props });
  return { stack, model };
}

const IMPORT = 'Custom::ComprehendImportedModel';

describe('qualityGate reaches the handlers as a resource property', () => {
  test('every classifier bound under botocore\'s member name, as strings, with the two switches', () => {
    const qualityGate: QualityGate = {
      minimum: { accuracy: 0.9, precision: 0.8, recall: 0.7, f1Score: 0.85, microPrecision: 0.6, microRecall: 0.5, microF1Score: 0.55 },
      maximumHammingLoss: 0.1,
      noWorseThanReplaced: true,
      allowMissingMetrics: true,
    };
    const { stack } = build({ qualityGate });

    Template.fromStack(stack).hasResourceProperties(IMPORT, {
      QualityGate: {
        Bounds: {
          Accuracy: '0.9',
          Precision: '0.8',
          Recall: '0.7',
          F1Score: '0.85',
          MicroPrecision: '0.6',
          MicroRecall: '0.5',
          MicroF1Score: '0.55',
          HammingLoss: '0.1',
        },
        NoWorseThanReplaced: 'true',
        AllowMissingMetrics: 'true',
      },
    });
  });

  test('a gate with only noWorseThanReplaced carries no bounds; no gate carries no property', () => {
    Template.fromStack(build({ qualityGate: { noWorseThanReplaced: true } }).stack).hasResourceProperties(IMPORT, {
      QualityGate: { Bounds: Match.absent(), NoWorseThanReplaced: 'true', AllowMissingMetrics: Match.absent() },
    });
    Template.fromStack(build({}).stack).hasResourceProperties(IMPORT, { QualityGate: Match.absent() });
  });

  test('a recognizer\'s bounds may be on the 0-100 scale of a plain-text recognizer', () => {
    const { stack } = build({ sourceModelArn: SOURCE_RECOGNIZER, qualityGate: { minimum: { f1Score: 85, precision: 0.8 } } });

    Template.fromStack(stack).hasResourceProperties(IMPORT, { QualityGate: { Bounds: { F1Score: '85', Precision: '0.8' } } });
  });

  test('a bound that is a token (a parameter) is left to the handler, which checks it at deploy time', () => {
    const stack = importerStack();
    const bound = new CfnParameter(stack, 'MinF1', { type: 'Number' }).valueAsNumber;
    new ImportedComprehendModel(stack, 'Model', { sourceModelArn: SOURCE_CLASSIFIER, qualityGate: { minimum: { f1Score: bound } } });

    Template.fromStack(stack).hasResourceProperties(IMPORT, { QualityGate: { Bounds: { F1Score: { Ref: 'MinF1' } } } });
  });

  test('changing only the gate keeps the copy: the version name does not depend on it', () => {
    // The default version name is derived at deploy time from the inputs that need a new copy (import-request.ts);
    // the gate is a property of its own, so a new gate is an Update of the same copy.
    const props = Template.fromStack(build({ qualityGate: { minimum: { f1Score: 0.9 } } }).stack).findResources(IMPORT);
    const [resource] = Object.values(props) as any[];
    expect(resource.Properties.VersionName).toBeUndefined();
    expect(Object.keys(resource.Properties).sort()).toEqual(['AttributeSet', 'QualityGate', 'ServiceTimeout', 'ServiceToken', 'SourceModelArn']);
  });

  test('the attribute set is a property, so a library that returns new attributes updates the resource before they are read', () => {
    // CloudFormation keeps the attributes of a resource's last answer: a copy created before the evaluation metrics
    // were attributes gets them from the Update this property's new value causes (a tags-only update of the same copy).
    Template.fromStack(build({}).stack).hasResourceProperties(IMPORT, { AttributeSet: '2' });
  });
});

describe('qualityGate mistakes are synth errors that name the prop', () => {
  test.each([
    ['accuracy on a recognizer', { minimum: { accuracy: 0.9 } },
      'qualityGate.minimum.accuracy is set, but Comprehend reports no Accuracy for an entity-recognizer; expected a bound on Precision, Recall, F1Score'],
    ['micro precision on a recognizer', { minimum: { microPrecision: 0.9 } }, 'qualityGate.minimum.microPrecision is set, but Comprehend reports no MicroPrecision'],
    ['micro recall on a recognizer', { minimum: { microRecall: 0.9 } }, 'qualityGate.minimum.microRecall is set'],
    ['micro F1 on a recognizer', { minimum: { microF1Score: 0.9 } }, 'qualityGate.minimum.microF1Score is set'],
    ['HammingLoss on a recognizer', { maximumHammingLoss: 0.1 }, 'qualityGate.maximumHammingLoss is set, but Comprehend reports no HammingLoss'],
    ['a recognizer bound over 100', { minimum: { f1Score: 101 } },
      'qualityGate.minimum.f1Score 101 is out of range; expected a number from 0 to 100 (0 to 1 for a PDF or Word recognizer, 0 to 100 for a plain-text one)'],
  ])('%s', (_, qualityGate, message) => {
    expect(() => build({ sourceModelArn: SOURCE_RECOGNIZER, qualityGate })).toThrow(`Importer/Model: ${message}`);
  });

  test.each([
    [{ minimum: { f1Score: 1.5 } }, 'qualityGate.minimum.f1Score 1.5 is out of range; expected a number from 0 to 1'],
    [{ minimum: { accuracy: -0.1 } }, 'qualityGate.minimum.accuracy -0.1 is out of range'],
    [{ minimum: { recall: NaN } }, 'qualityGate.minimum.recall NaN is out of range'],
    [{ maximumHammingLoss: 2 }, 'qualityGate.maximumHammingLoss 2 is out of range; expected a number from 0 to 1'],
  ])('a classifier bound out of 0-1: %j', (qualityGate, message) => {
    expect(() => build({ qualityGate })).toThrow(`Importer/Model: ${message}`);
  });

  test('a token source with modelType set is checked against that type', () => {
    const stack = importerStack();
    expect(() => new ImportedComprehendModel(stack, 'Model', {
      sourceModelArn: Lazy.string({ produce: () => SOURCE_RECOGNIZER }),
      modelType: ModelType.ENTITY_RECOGNIZER,
      qualityGate: { minimum: { accuracy: 0.9 } },
    })).toThrow('qualityGate.minimum.accuracy is set, but Comprehend reports no Accuracy for an entity-recognizer');
  });
});

describe('evaluationMetric(): the copy\'s metrics as attributes', () => {
  test('Fn::GetAtt of Evaluation<metric> on the import resource, usable in outputs and alarms', () => {
    const { stack, model } = build({});
    new CfnOutput(stack, 'F1', { value: model.evaluationMetric(EvaluationMetric.F1_SCORE) });
    new CfnOutput(stack, 'HammingLoss', { value: model.evaluationMetric(EvaluationMetric.HAMMING_LOSS) });
    new cloudwatch.Metric({ namespace: 'Team/Models', metricName: 'Deployed' }).with({ label: model.evaluationMetric(EvaluationMetric.ACCURACY) })
      .createAlarm(stack, 'Alarm', { threshold: 1, evaluationPeriods: 1 });

    const template = Template.fromStack(stack);
    const [logicalId] = Object.keys(template.findResources(IMPORT));
    template.hasOutput('F1', { Value: { 'Fn::GetAtt': [logicalId, 'EvaluationF1Score'] } });
    template.hasOutput('HammingLoss', { Value: { 'Fn::GetAtt': [logicalId, 'EvaluationHammingLoss'] } });
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).toContain(`"Fn::GetAtt":["${logicalId}","EvaluationAccuracy"]`);
  });

  test('a recognizer has Precision, Recall and F1Score; another metric is a synth error', () => {
    const { model } = build({ sourceModelArn: SOURCE_RECOGNIZER });

    for (const metric of [EvaluationMetric.PRECISION, EvaluationMetric.RECALL, EvaluationMetric.F1_SCORE]) {
      expect(model.evaluationMetric(metric)).toMatch(/^\$\{Token\[/);
    }
    expect(() => model.evaluationMetric(EvaluationMetric.ACCURACY)).toThrow(
      'Importer/Model: evaluationMetric(Accuracy): Comprehend reports no Accuracy for an entity-recognizer; expected one of Precision, Recall, F1Score',
    );
  });
});
