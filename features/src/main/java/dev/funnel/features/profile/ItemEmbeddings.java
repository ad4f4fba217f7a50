package dev.funnel.features.profile;

/**
 * Item embeddings by item id, as the profile store needs them to update user embeddings; the item
 * index provides it ({@code index::embedding}). Any thread.
 */
@FunctionalInterface
public interface ItemEmbeddings {

    /** The item's embedding, or null when the item is unknown; callers do not modify it. */
    float[] embedding(long itemId);
}
