export { ModelType } from './contract/model-types';
export * from './comprehend-model';
export * from './comprehend-provider';
export * from './imported-comprehend-model';
export * from './model-endpoint';
export * from './scalable-inference-units';
export * from './shared-model-policy';
