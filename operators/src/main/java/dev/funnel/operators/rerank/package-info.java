/** Operators that reorder or cut the final list: {@code rerank.truncate}. */
package dev.funnel.operators.rerank;
