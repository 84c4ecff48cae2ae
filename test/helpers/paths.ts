import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository root. */
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** ../shared beside the checkout: published vectors and datasets. */
export const DATASETS = resolve(REPO, '..', 'shared', 'datasets');
