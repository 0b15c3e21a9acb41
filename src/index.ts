export { ModelType } from './shared/model-arn';
export * from './imported-comprehend-model';
export * from './shared-model-policy';
