export { configSchema, VERIFIER_TYPES, type ConfigInput, type VerifierConfig } from './schema.js';
export { parseConfig, parseConfigText, loadConfigFile, defaultConfig, formatPath, type Config } from './load-config.js';
export { createConfigStore, staticConfigStore, type ConfigStore, type ConfigListener } from './config-store.js';
