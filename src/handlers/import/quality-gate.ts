// Handler side: the quality gate. Reads the gate from the resource's properties and judges a usable copy by its
// evaluation metrics, against the gate's bounds and, when asked, against the copy it replaces.
import type { EvaluationMetrics } from './model-client';
import {
  EVALUATION_METRICS,
  EvaluationMetric,
  explainInvalidBound,
  metricsOf,
  QualityGateProperties,
} from '../../contract/evaluation-metrics';
import { ModelType } from '../../contract/model-types';

/** The gate of one import, read and checked. */
export interface QualityGate {
  /** A bound per metric: a minimum, or for HammingLoss a maximum. */
  readonly bounds: ReadonlyMap<EvaluationMetric, number>;
  readonly noWorseThanReplaced: boolean;
  readonly allowMissingMetrics: boolean;
}

/** The copy a replacement would retire, with what Comprehend reports for it (undefined when it is gone). */
export interface ReplacedCopy {
  readonly arn: string;
  readonly metrics?: EvaluationMetrics;
}

/** What the gate found: each check with its words, and whether all passed. */
export interface GateVerdict {
  readonly passed: boolean;
  /** One line per check, failed or passed, so the message shows every metric, its value and its bound. */
  readonly checks: readonly string[];
  /** Only the checks that failed, in fewer words (no props, the replaced copy not named), for a message that must be short. */
  readonly failures: readonly string[];
}

/**
 * Reads the gate the construct rendered (see ImportedComprehendModel's qualityGate). A bound the construct could not
 * check at synth time (a token) is checked here, with the same words.
 */
export function readQualityGate(properties: QualityGateProperties | undefined, modelType: ModelType): QualityGate | undefined {
  if (properties === undefined) {
    return undefined;
  }
  const bounds = new Map<EvaluationMetric, number>();
  for (const [member, text] of Object.entries(properties.Bounds ?? {})) {
    const metric = Object.values(EvaluationMetric).find(m => m === member);
    if (!metric) {
      throw new Error(`qualityGate bounds ${member}, which is no evaluation metric; expected one of ${metricsOf(modelType).join(', ')}`);
    }
    // Number('') is 0: an empty bound is no bound of 0.
    const value = text.trim() === '' ? NaN : Number(text);
    const problem = explainInvalidBound(metric, value, modelType, `"${text}"`);
    if (problem) {
      throw new Error(problem);
    }
    bounds.set(metric, value);
  }
  return {
    bounds,
    noWorseThanReplaced: properties.NoWorseThanReplaced === 'true',
    allowMissingMetrics: properties.AllowMissingMetrics === 'true',
  };
}

/**
 * Judges a usable copy. Every bound is checked, and with `noWorseThanReplaced` every metric both copies report; a
 * metric at its bound passes. A copy that reports no metrics fails unless the gate allows it, and so does a bounded
 * metric it does not report.
 */
export function judgeCopy(gate: QualityGate, modelType: ModelType, metrics: EvaluationMetrics | undefined, replaced?: ReplacedCopy): GateVerdict {
  if (metrics === undefined) {
    if (gate.allowMissingMetrics) {
      return { passed: true, checks: ['Comprehend reports no evaluation metrics for the copy, which the gate allows (allowMissingMetrics)'], failures: [] };
    }
    const missing = 'Comprehend reports no evaluation metrics for the copy, so the gate cannot judge it; set allowMissingMetrics: true ' +
      'in qualityGate to let such a copy pass';
    return { passed: false, checks: [missing], failures: [missing] };
  }
  const checks: Array<{ readonly passed: boolean; readonly words: string; readonly failureWords?: string }> = [];
  for (const [metric, bound] of gate.bounds) {
    checks.push(checkBound(gate, modelType, metric, metrics[metric], bound));
  }
  if (gate.noWorseThanReplaced && replaced) {
    // The replaced copy is named once: CloudFormation refuses an answer over 4,096 bytes, the reason included.
    const comparisons = metricsOf(modelType)
      .filter(metric => replaced.metrics?.[metric] !== undefined)
      .map(metric => compareWithReplaced(gate, modelType, metric, metrics[metric], replaced.metrics![metric]!));
    const against = `against the replaced copy ${replaced.arn} (noWorseThanReplaced): `;
    checks.push(comparisons.length === 0
      ? { passed: true, words: `the replaced copy ${replaced.arn} reports no evaluation metrics (or is gone), so there is nothing to be worse than` }
      : {
        passed: comparisons.every(comparison => comparison.passed),
        words: against + comparisons.map(comparison => comparison.words).join(', '),
        failureWords: `against the replaced copy: ${comparisons.filter(comparison => !comparison.passed).map(comparison => comparison.words).join(', ')}`,
      });
  }
  return {
    passed: checks.every(check => check.passed),
    checks: checks.map(check => check.words),
    failures: checks.filter(check => !check.passed).map(check => check.failureWords ?? check.words),
  };
}

function checkBound(gate: QualityGate, modelType: ModelType, metric: EvaluationMetric, value: number | undefined, bound: number) {
  const { higherIsBetter, prop } = EVALUATION_METRICS[metric];
  const boundWords = `${higherIsBetter ? 'minimum' : 'maximum'} ${bound} (${prop})`;
  if (value === undefined) {
    return gate.allowMissingMetrics
      ? { passed: true, words: `${metric} not reported, ${boundWords}: allowed (allowMissingMetrics)` }
      : { passed: false, words: `${metric} not reported, ${boundWords}` };
  }
  // botocore: a plain-text recognizer's F1Score is 0 to 100. A bound of 0.85 would let every such copy pass.
  if (modelType === ModelType.ENTITY_RECOGNIZER && value > 1 && bound > 0 && bound <= 1) {
    return {
      passed: false,
      words: `${metric} ${value}, ${boundWords}: the copy reports ${metric} from 0 to 100 (a plain-text entity recognizer, ` +
        `per the Comprehend API), so give the bound on that scale (${bound * 100} for ${bound})`,
    };
  }
  const passed = higherIsBetter ? value >= bound : value <= bound;
  return {
    passed,
    words: `${metric} ${value} ${passed ? 'meets' : 'FAILS'} ${boundWords}`,
    failureWords: `${metric} ${value} FAILS ${higherIsBetter ? 'minimum' : 'maximum'} ${bound}`,
  };
}

function compareWithReplaced(gate: QualityGate, modelType: ModelType, metric: EvaluationMetric, value: number | undefined, old: number) {
  if (value === undefined) {
    return gate.allowMissingMetrics
      ? { passed: true, words: `${metric} not reported (${old} before): allowed (allowMissingMetrics)` }
      : { passed: false, words: `${metric} not reported (${old} before)` };
  }
  // A recognizer's scale depends on its documents (botocore: 0 to 100 for plain text, 0 to 1 for PDF and Word).
  if (modelType === ModelType.ENTITY_RECOGNIZER && (value > 1) !== (old > 1)) {
    return {
      passed: false,
      words: `${metric} ${value} is on another scale than ${old} before (0 to 1 and 0 to 100): compare them yourself, ` +
        'and deploy this version once without noWorseThanReplaced if it is better',
    };
  }
  const passed = EVALUATION_METRICS[metric].higherIsBetter ? value >= old : value <= old;
  return { passed, words: `${metric} ${value} ${passed ? 'no worse than' : 'WORSE than'} ${old}` };
}
