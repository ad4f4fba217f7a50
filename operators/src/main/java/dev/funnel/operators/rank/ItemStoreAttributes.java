package dev.funnel.operators.rank;

import dev.funnel.features.ItemAttributes;
import dev.funnel.features.ItemRows;
import dev.funnel.index.ItemStore;
import java.util.List;

/** The index's {@link ItemStore} seen as the feature library's {@link ItemAttributes}. */
final class ItemStoreAttributes implements ItemAttributes {

    private final ItemStore store;

    ItemStoreAttributes(ItemStore store) {
        this.store = store;
    }

    @Override
    public String category(long itemId) {
        return store.category(itemId);
    }

    @Override
    public String author(long itemId) {
        return store.author(itemId);
    }

    @Override
    public List<String> tags(long itemId) {
        return store.tags(itemId);
    }

    @Override
    public long createdAtMillis(long itemId) {
        return store.createdAtMillis(itemId);
    }

    @Override
    public double popularity(long itemId) {
        return store.popularity(itemId);
    }

    @Override
    public float[] embedding(long itemId) {
        return store.embedding(itemId);
    }

    @Override
    public void read(long[] itemIds, int n, ItemRows out) {
        store.read(itemIds, n, out::set);
    }
}
