import { Duration } from 'aws-cdk-lib';

/**
 * Options of the alarm `addIdleAlarm()` adds to an endpoint.
 */
export interface IdleAlarmOptions {
  /**
   * How long the endpoint must serve no inference before the alarm goes to ALARM: whole minutes under 1 hour, or
   * whole hours from 1 to 168 (7 days), the longest CloudWatch evaluates an alarm over.
   *
   * @default Duration.hours(24)
   */
  readonly idleFor?: Duration;

  /**
   * The alarm's name.
   *
   * @default - generated
   */
  readonly alarmName?: string;

  /**
   * The alarm's description.
   *
   * @default - says which endpoint and how long it served no inference
   */
  readonly alarmDescription?: string;

  /**
   * Whether the alarm runs its actions when its state changes.
   *
   * @default true
   */
  readonly actionsEnabled?: boolean;
}
