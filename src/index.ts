export { ModelType } from './shared/model-arn';
export * from './comprehend-model-base';
export * from './imported-comprehend-model';
export * from './model-endpoint';
export * from './shared-model-policy';
