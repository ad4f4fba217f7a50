/**
 * Rerank operators: reorder the ranked list for the page: diversity ({@code rerank.mmr},
 * {@code rerank.dpp}), spacing of similar items ({@code rerank.scatter}), business rules
 * ({@code rerank.rules}), and cutting to size ({@code rerank.truncate}).
 */
package dev.funnel.operators.rerank;
