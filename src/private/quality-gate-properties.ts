import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { EvaluationMetric, explainInvalidBound, QualityGateProperties } from '../contract/evaluation-metrics';
import { ModelType } from '../contract/model-types';
import { QualityGate } from '../quality-gate';

/**
 * The gate as the handlers read it, checked against the model type: a bound on a metric the type does not report, or
 * out of range, is a synth error that names the prop. A bound that is a token is checked by the handler at deploy time.
 */
export function renderQualityGate(gate: QualityGate | undefined, modelType: ModelType, scope: IConstruct): QualityGateProperties | undefined {
  if (gate === undefined) {
    return undefined;
  }
  const given: Array<[EvaluationMetric, number | undefined]> = [
    [EvaluationMetric.ACCURACY, gate.minimum?.accuracy],
    [EvaluationMetric.PRECISION, gate.minimum?.precision],
    [EvaluationMetric.RECALL, gate.minimum?.recall],
    [EvaluationMetric.F1_SCORE, gate.minimum?.f1Score],
    [EvaluationMetric.MICRO_PRECISION, gate.minimum?.microPrecision],
    [EvaluationMetric.MICRO_RECALL, gate.minimum?.microRecall],
    [EvaluationMetric.MICRO_F1_SCORE, gate.minimum?.microF1Score],
    [EvaluationMetric.HAMMING_LOSS, gate.maximumHammingLoss],
  ];
  const bounds: { [metric: string]: string } = {};
  for (const [metric, bound] of given) {
    if (bound === undefined) {
      continue;
    }
    // A token's value is checked by the handler; whether the type reports the metric is known now.
    const problem = explainInvalidBound(metric, Token.isUnresolved(bound) ? 0 : bound, modelType);
    if (problem) {
      throw invalidProp(problem, scope);
    }
    bounds[metric] = Token.isUnresolved(bound) ? Token.asString(bound) : String(bound);
  }
  if (Object.keys(bounds).length === 0 && !gate.noWorseThanReplaced) {
    throw invalidProp(
      `qualityGate sets no bound (${JSON.stringify(gate)}), so it would judge nothing but whether the copy reports metrics; ` +
      'expected at least one of minimum (a metric\'s lowest value, such as minimum: { f1Score: 0.8 }), maximumHammingLoss or ' +
      'noWorseThanReplaced: true, or no qualityGate',
      scope,
    );
  }
  return {
    Bounds: Object.keys(bounds).length > 0 ? bounds : undefined,
    NoWorseThanReplaced: gate.noWorseThanReplaced ? 'true' : undefined,
    AllowMissingMetrics: gate.allowMissingMetrics ? 'true' : undefined,
  };
}
