/**
 * Recall operators: each turns the request (and the user's profile) into a first list of candidate
 * items from the item index, tagged with its node id as provenance: {@code recall.hot},
 * {@code recall.inverted}, {@code recall.ann}, {@code recall.i2i}, {@code recall.fresh},
 * {@code recall.explore}. Filters are pushed into the index, so a branch asking for N gets N that pass.
 */
package dev.funnel.operators.recall;
