/**
 * pycontain as a library: the same pipeline the CLI runs.
 *   detectProject (read the repository) -> Plan -> renderDockerfile / lintText / buildImage / verifyImage,
 *   and analyzeImage for any image.
 */

export { checkDockerignore, compileDockerignore, renderDockerignore } from './dockerfile/dockerignore.js';
export { generateFiles, initProject } from './dockerfile/init.js';
export { renderDockerfile } from './dockerfile/render.js';
export { bakeImages, renderBakeFile } from './engine/bake.js';
export { buildImage } from './engine/build.js';
export { detectEngine } from './engine/driver.js';
export { analyzeImage } from './image/analyze.js';
export { compareReports } from './image/compare.js';
export { evaluateGates } from './image/gates.js';
export { fixText, lintText, RULES } from './lint/index.js';
export * from './plan.js';
export { detectProject, findPythonApps } from './project/index.js';
export { verifyImage } from './verify/verify.js';
