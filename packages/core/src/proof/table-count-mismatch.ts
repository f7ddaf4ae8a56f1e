/**
 * The first table whose row count differs from what a backup's meta says (a test restore's count
 * comparison, proof/test-restore.ts). Only the tables the meta counts are compared: a table the
 * database has beyond them is no loss.
 */

/** A table the meta counts `expected` rows in, which has `actual` rows (null: no such table). */
export interface TableCountMismatch {
  table: string;
  expected: number;
  actual: number | null;
}

/** The first table of `expected` (in its order) whose count in `actual` differs; null when all match. */
export function tableCountMismatch(expected: Record<string, number>, actual: Record<string, number>): TableCountMismatch | null {
  for (const [table, rows] of Object.entries(expected)) {
    const found = Object.hasOwn(actual, table) ? actual[table]! : null;
    if (found !== rows) return { table, expected: rows, actual: found };
  }
  return null;
}
