import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';

/**
 * The range Application Auto Scaling keeps an endpoint's inference units in, for `autoScaleInferenceUnits()`.
 */
export interface EnableInferenceUnitScalingProps {
  /** The fewest inference units: at least 1. */
  readonly minCapacity: number;

  /** The most inference units: at least `minCapacity`, at most 10 (Comprehend's limit per endpoint). */
  readonly maxCapacity: number;
}

/**
 * Target tracking on the endpoint's inference utilization (the predefined metric `ComprehendInferenceUtilization`).
 */
export interface InferenceUtilizationScalingProps extends appscaling.BaseTargetTrackingProps {
  /** The share of the provisioned inference units to keep in use, in percent (1 to 100). */
  readonly targetUtilizationPercent: number;
}

/**
 * The inference units of an endpoint, scaled by Application Auto Scaling.
 */
export interface IScalableInferenceUnits {
  /** Keeps the endpoint's inference utilization near a target. */
  scaleOnUtilization(props: InferenceUtilizationScalingProps): void;

  /** Sets the range of inference units on a schedule. */
  scaleOnSchedule(id: string, action: appscaling.ScalingSchedule): void;
}
