// The model manager: per-guild state, training jobs, quotas and the model cache.
export { ModelManager, defaultManagerConfig, DEFAULT_GUILD_LIMITS, DEFAULT_CACHE_BYTES, DATABASE_FILENAME } from './model-manager.js';
export type { ReconcileReport } from '../store/index.js';
export * from './types.js';
