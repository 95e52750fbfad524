import type * as A from '../lang/ast.js';
import { SimulatorBug } from '../kernel/types.js';
import type { Interpreter } from './exec.js';

/** `race` and `explore` blocks (spec-language.md §10). Being written. */
export function execConcurrent(it: Interpreter, s: A.Race | A.Explore): void {
  void it;
  throw new SimulatorBug(`execConcurrent: ${s.type} is not implemented yet`);
}
