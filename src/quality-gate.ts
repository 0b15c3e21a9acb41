/**
 * The least each evaluation metric of a copy may be, for `QualityGate.minimum`.
 *
 * Comprehend reports a document classifier's metrics as fractions from 0 to 1. An entity recognizer reports only
 * precision, recall and F1 score; per the Comprehend API, a plain-text recognizer reports them from 0 to 100 and a PDF
 * or Word recognizer from 0 to 1, so give the bound on the scale your model reports (the handler refuses a bound of 1
 * or less for a copy that reports above 1, rather than letting every copy pass). A metric at its bound passes.
 */
export interface EvaluationMetricMinimums {
  /**
   * The least `Accuracy`: the fraction of the test documents' labels recognized correctly. Document classifiers only.
   *
   * @default - no bound
   */
  readonly accuracy?: number;

  /**
   * The least `Precision`, averaged over the labels (or entity types). Both model types.
   *
   * @default - no bound
   */
  readonly precision?: number;

  /**
   * The least `Recall`, averaged over the labels (or entity types). Both model types.
   *
   * @default - no bound
   */
  readonly recall?: number;

  /**
   * The least `F1Score`, the harmonic mean of precision and recall. Both model types.
   *
   * @default - no bound
   */
  readonly f1Score?: number;

  /**
   * The least `MicroPrecision`, over all labels together. Document classifiers only.
   *
   * @default - no bound
   */
  readonly microPrecision?: number;

  /**
   * The least `MicroRecall`, over all labels together. Document classifiers only.
   *
   * @default - no bound
   */
  readonly microRecall?: number;

  /**
   * The least `MicroF1Score`, the harmonic mean of micro precision and micro recall. Document classifiers only.
   *
   * @default - no bound
   */
  readonly microF1Score?: number;
}

/**
 * What a new copy must show before it may serve, judged on the evaluation metrics Comprehend reports for it
 * (`DescribeDocumentClassifier` / `DescribeEntityRecognizer`: the metrics of the model version on its test documents).
 *
 * The gate judges each new copy once it is usable: on creation, and when a new source version (or another change that
 * needs a new copy) replaces it. A copy that fails is deleted and the deployment fails with each metric, its value and
 * its bound, so CloudFormation rolls back and endpoints keep serving the copy they serve. Changing only the gate does not
 * judge the current copy again, and neither does a rollback to a copy the gate judged before.
 */
export interface QualityGate {
  /**
   * The least each metric may be.
   *
   * @default - no minimum
   */
  readonly minimum?: EvaluationMetricMinimums;

  /**
   * The most `HammingLoss` (the fraction of labels predicted wrongly; lower is better) may be. Document classifiers only.
   *
   * @default - no maximum
   */
  readonly maximumHammingLoss?: number;

  /**
   * Whether a copy that replaces another must be no worse than it on every metric both report (HammingLoss no higher,
   * every other metric no lower). The copy being replaced is the one the resource has before the update.
   *
   * @default false
   */
  readonly noWorseThanReplaced?: boolean;

  /**
   * Whether a copy may pass without the metrics the gate needs. Whether Comprehend reports evaluation metrics for an
   * imported copy is not documented: without this, a copy that reports none (or lacks a metric the gate bounds or
   * compares) fails the gate, with a message that says so. (The assumptions register, docs/aws-assumptions.md,
   * copy-reports-metrics.)
   *
   * @default false
   */
  readonly allowMissingMetrics?: boolean;
}
