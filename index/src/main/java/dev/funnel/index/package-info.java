/**
 * Item indexes: {@link dev.funnel.index.ItemIndex} holds the forward index (item → attributes,
 * column-wise by internal ordinal), the inverted indexes (term → RoaringBitmap, with
 * {@link dev.funnel.index.Filter}s pushed down), score-ordered lists and the vector index (a jvector
 * graph; exact search for small candidate sets). Changes arrive as {@link dev.funnel.index.ItemUpdate}s
 * through one {@code apply} method; reads are lock-free and see every change acknowledged before
 * they began. {@link dev.funnel.index.ItemStore} is the read-only view other modules use. Caches derived from the
 * catalog register as {@link dev.funnel.index.CatalogView}s, which a writer refreshes before it
 * acknowledges a change.
 */
package dev.funnel.index;
