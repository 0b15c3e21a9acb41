import { Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { invalidProp } from './errors';
import type { InferenceUnitsScaling } from './provider-endpoint';
import { InferenceUtilizationScalingProps, IScalableInferenceUnits } from '../scalable-inference-units';

/** An endpoint's inference units as an Application Auto Scaling scalable target (the pattern of aws-dynamodb's). */
export class ScalableInferenceUnitsAttribute extends appscaling.BaseScalableAttribute implements IScalableInferenceUnits, InferenceUnitsScaling {
  /** The maxCapacity of each scheduled action known at synth time: an action sets the target's range, above maxCapacity too. */
  private readonly scheduledMaxima: number[] = [];

  /** The most units the scaler may set, which count against Comprehend's quota of inference units per account and Region. */
  public get mostUnits(): number {
    return Math.max(this.props.maxCapacity, ...this.scheduledMaxima);
  }

  public scaleOnUtilization(props: InferenceUtilizationScalingProps): void {
    const percent = props.targetUtilizationPercent;
    if (!(percent >= 1 && percent <= 100)) {
      throw invalidProp(`targetUtilizationPercent ${percent} is out of range; expected 1 to 100`, this);
    }
    this.doScaleToTrackMetric('Tracking', {
      ...props,
      targetValue: percent,
      predefinedMetric: appscaling.PredefinedMetric.COMPREHEND_INFERENCE_UTILIZATION,
    });
  }

  public scaleOnSchedule(id: string, action: appscaling.ScalingSchedule): void {
    if (action.maxCapacity !== undefined && !Token.isUnresolved(action.maxCapacity)) {
      this.scheduledMaxima.push(action.maxCapacity);
    }
    this.doScaleOnSchedule(id, action);
  }
}
