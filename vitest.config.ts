// `npm test` runs the unit tests and, through the mmspec plugin, every spec under specs/
// as a test of its own (src/vitest/plugin.ts). `npx vitest -u` rewrites changed goldens.
import { defineConfig } from 'vitest/config';
import { mmspec } from './src/vitest/plugin.ts';

export default defineConfig({
  plugins: [mmspec()],
  test: {
    include: ['src/**/*.test.ts', 'specs/**/*.mms'],
    // A spec is a whole scenario (an explore block runs thousands of interleavings): the
    // default 5 s per test is for unit tests, not for those on a loaded CI machine.
    testTimeout: 60_000,
  },
});
