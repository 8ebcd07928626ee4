export * from './cli.js';
export * from './docker.js';
export * from './examples.js';
export * from './testenv.js';
