// The model manager: per-guild state, training jobs, quotas and the model cache.
export { ModelManager, defaultManagerConfig } from './model-manager.js';
export * from './types.js';
