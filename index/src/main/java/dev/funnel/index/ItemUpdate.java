package dev.funnel.index;

/**
 * A change to the catalog: every path that changes items (bulk load, the HTTP item API, the item
 * stream) expresses it as one of these and hands it to {@link ItemIndex#apply}.
 */
public sealed interface ItemUpdate permits ItemUpdate.Upsert, ItemUpdate.Delete {

    /** The item the update is about. */
    long itemId();

    /** Inserts the item, or replaces every attribute of an existing one. */
    record Upsert(ItemRecord item) implements ItemUpdate {
        public Upsert {
            java.util.Objects.requireNonNull(item, "item");
        }

        @Override
        public long itemId() {
            return item.id();
        }
    }

    /** Removes the item; later reads and searches never return it. */
    record Delete(long itemId) implements ItemUpdate {
        public Delete {
            if (itemId <= 0) {
                throw new IllegalArgumentException("item id must be > 0, got " + itemId);
            }
        }
    }

    static ItemUpdate upsert(ItemRecord item) {
        return new Upsert(item);
    }

    static ItemUpdate delete(long itemId) {
        return new Delete(itemId);
    }
}
