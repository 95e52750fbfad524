import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { specForGolden } from '../run/golden.js';
import { findOrphanGoldens } from '../run/suite.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('every golden under fixtures/ has its spec under specs/', () => {
  const orphans = findOrphanGoldens(root).map((g) => `${g} (no ${specForGolden(g)})`);
  expect(orphans, 'goldens without a spec: delete them, or run `mmspec run --update`').toEqual([]);
});
