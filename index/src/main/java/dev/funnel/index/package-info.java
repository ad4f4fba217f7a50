/**
 * Item indexes: the forward index (item → attributes, column-wise), inverted indexes (term →
 * RoaringBitmap, filters pushed down) and the vector index, plus applying item updates.
 */
package dev.funnel.index;
