import path from 'node:path';

/** The repository root (this file compiles to dist/test/support). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The public evaluation data beside the repository (../shared/data): read by tests, never copied in. */
export const DATA_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data');
