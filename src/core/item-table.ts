// Questions any item table answers, float tensors or quantized rows alike.
import type { AnyItemTable, QuantizedItemTable } from './types';

/** Whether a table is quantized (format v2 in the runtime) rather than tensors. */
export function isQuantized(items: AnyItemTable): items is QuantizedItemTable {
  return (items as QuantizedItemTable).format === 'int8';
}

/** Items in a table. */
export function itemCount(items: AnyItemTable): number {
  return isQuantized(items) ? items.vectors.n : items.vectors.shape[0];
}
