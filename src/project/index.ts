/** Public API of the project reader: everything `init`, `lint`, `build` and `verify` need. */
export { chooseAppDir, findPythonApps } from './appdir.js';
export { DEFAULT_UID, detectProject, INDEX_SECRET_ID } from './detect.js';
export { parsePdmLock, pdmLockStaleness } from './locks/pdm.js';
export { parsePipfile, parsePipfileLock, pipfileHashes, pipfileLockStaleness } from './locks/pipfile.js';
export { parsePoetryLock, poetryContentHashes, poetryLockStaleness } from './locks/poetry.js';
export type { LockedPackage, LockFile, Staleness } from './locks/types.js';
export { parseUvLock, uvLockStaleness } from './locks/uv.js';
export { parseWheelName, wheelFits } from './locks/wheels.js';
export { mergeOverrides, readToolPycontain } from './overrides.js';
export { detectPackageManager, findRequirementFiles } from './package-manager.js';
export { type PyProject, parsePyProject, readmeFiles, readPyProject } from './pyproject.js';
export { resolvePythonVersion } from './python-version.js';
