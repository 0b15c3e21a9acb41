import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { invalidProp } from './errors';
import { InferenceUtilizationScalingProps, IScalableInferenceUnits } from '../scalable-inference-units';

/** An endpoint's inference units as an Application Auto Scaling scalable target (the pattern of aws-dynamodb's). */
export class ScalableInferenceUnitsAttribute extends appscaling.BaseScalableAttribute implements IScalableInferenceUnits {
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
    this.doScaleOnSchedule(id, action);
  }
}
