// The evaluation metrics Comprehend reports for a model version, and the quality gate's contract: how the construct
// hands the gate to the handlers and how the handlers hand the metrics back as attributes. Shared by both runtimes.
import { MODEL_TYPES, ModelType } from './model-types';

/**
 * An evaluation metric of a Comprehend custom model, as Comprehend reports it on the model's test documents.
 *
 * The value is the member name in `EvaluationMetrics` (botocore's `ClassifierEvaluationMetrics` and
 * `EntityRecognizerEvaluationMetrics` shapes).
 */
export enum EvaluationMetric {
  /** The fraction of the labels of the test documents that were recognized correctly. Document classifiers only. */
  ACCURACY = 'Accuracy',
  /** Precision, averaged over the labels (or entity types). Both model types. */
  PRECISION = 'Precision',
  /** Recall, averaged over the labels (or entity types). Both model types. */
  RECALL = 'Recall',
  /** The harmonic mean of precision and recall. Both model types. */
  F1_SCORE = 'F1Score',
  /** Precision over all labels together (micro average). Document classifiers only. */
  MICRO_PRECISION = 'MicroPrecision',
  /** Recall over all labels together (micro average). Document classifiers only. */
  MICRO_RECALL = 'MicroRecall',
  /** The harmonic mean of micro precision and micro recall. Document classifiers only. */
  MICRO_F1_SCORE = 'MicroF1Score',
  /** The fraction of labels predicted wrongly: lower is better. Document classifiers only. */
  HAMMING_LOSS = 'HammingLoss',
}

/** What the gate needs to know of each metric. */
export interface EvaluationMetricFacts {
  /** The prop of the gate that bounds it (`qualityGate.minimum.f1Score`, or `qualityGate.maximumHammingLoss`). */
  readonly prop: string;
  /** Whether a higher value is better (HammingLoss is the only one where lower is). */
  readonly higherIsBetter: boolean;
  /** The model types that report it. */
  readonly modelTypes: readonly ModelType[];
}

const BOTH = [ModelType.DOCUMENT_CLASSIFIER, ModelType.ENTITY_RECOGNIZER];
const CLASSIFIER = [ModelType.DOCUMENT_CLASSIFIER];

/**
 * Which model type reports which metric: `DocumentClassifierProperties.ClassifierMetadata.EvaluationMetrics` has all
 * eight, `EntityRecognizerProperties.RecognizerMetadata.EvaluationMetrics` has Precision, Recall and F1Score
 * (botocore's Comprehend model, 2017-11-27).
 */
export const EVALUATION_METRICS: { readonly [metric in EvaluationMetric]: EvaluationMetricFacts } = {
  [EvaluationMetric.ACCURACY]: { prop: 'qualityGate.minimum.accuracy', higherIsBetter: true, modelTypes: CLASSIFIER },
  [EvaluationMetric.PRECISION]: { prop: 'qualityGate.minimum.precision', higherIsBetter: true, modelTypes: BOTH },
  [EvaluationMetric.RECALL]: { prop: 'qualityGate.minimum.recall', higherIsBetter: true, modelTypes: BOTH },
  [EvaluationMetric.F1_SCORE]: { prop: 'qualityGate.minimum.f1Score', higherIsBetter: true, modelTypes: BOTH },
  [EvaluationMetric.MICRO_PRECISION]: { prop: 'qualityGate.minimum.microPrecision', higherIsBetter: true, modelTypes: CLASSIFIER },
  [EvaluationMetric.MICRO_RECALL]: { prop: 'qualityGate.minimum.microRecall', higherIsBetter: true, modelTypes: CLASSIFIER },
  [EvaluationMetric.MICRO_F1_SCORE]: { prop: 'qualityGate.minimum.microF1Score', higherIsBetter: true, modelTypes: CLASSIFIER },
  [EvaluationMetric.HAMMING_LOSS]: { prop: 'qualityGate.maximumHammingLoss', higherIsBetter: false, modelTypes: CLASSIFIER },
};

/** The metrics a model type reports, in botocore's order. */
export function metricsOf(modelType: ModelType): EvaluationMetric[] {
  return Object.values(EvaluationMetric).filter(metric => EVALUATION_METRICS[metric].modelTypes.includes(modelType));
}

/**
 * The largest value a bound may have. A classifier's metrics are fractions, 0 to 1. botocore documents a recognizer's
 * F1Score as 0 to 100 for plain-text models and 0 to 1 for PDF and Word models, so a recognizer's bounds may go to 100.
 */
export function maximumBound(modelType: ModelType): number {
  return modelType === ModelType.ENTITY_RECOGNIZER ? 100 : 1;
}

/**
 * Why `bound` cannot bound `metric` of `modelType` (a metric the type does not report, or a value out of range), or
 * undefined: the same words at synth time (the construct) and at deploy time (the handler, for a bound that was a token,
 * which `shown` quotes as CloudFormation passed it).
 */
export function explainInvalidBound(metric: EvaluationMetric, bound: number, modelType: ModelType, shown = String(bound)): string | undefined {
  const { prop, modelTypes } = EVALUATION_METRICS[metric];
  if (!modelTypes.includes(modelType)) {
    return `${prop} is set, but Comprehend reports no ${metric} for ${MODEL_TYPES[modelType].withArticle}; expected a bound on ` +
      metricsOf(modelType).join(', ');
  }
  const maximum = maximumBound(modelType);
  if (!(Number.isFinite(bound) && bound >= 0 && bound <= maximum)) {
    return `${prop} ${shown} is out of range; expected a number from 0 to ${maximum}` +
      (modelType === ModelType.ENTITY_RECOGNIZER ? ' (0 to 1 for a PDF or Word recognizer, 0 to 100 for a plain-text one)' : '');
  }
  return undefined;
}

/**
 * The gate as a resource property (every scalar a string, as CloudFormation hands them over): a bound per metric
 * (botocore's member names), whether the copy must be no worse than the one it replaces, and whether a copy without
 * metrics may pass.
 */
export interface QualityGateProperties {
  readonly Bounds?: { readonly [metric: string]: string };
  readonly NoWorseThanReplaced?: string;
  readonly AllowMissingMetrics?: string;
}

/** The attribute (`Fn::GetAtt`) that carries a metric of the copy: `Evaluation` and botocore's member name. */
export function metricAttribute(metric: EvaluationMetric): string {
  return `Evaluation${metric}`;
}

/** The value of a metric attribute when Comprehend reports no such metric for the copy. */
export const METRIC_NOT_REPORTED = 'none';
