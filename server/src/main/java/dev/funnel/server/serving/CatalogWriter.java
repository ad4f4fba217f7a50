package dev.funnel.server.serving;

import dev.funnel.index.ItemUpdate;

/**
 * Where the items API's writes go when the catalog is shared through a stream (registered by the learning
 * loop's wiring): without one, {@code PUT/DELETE /v1/items} apply to this server's index only.
 */
public interface CatalogWriter {

    /**
     * Makes {@code update} part of the shared catalog and returns once this server's index holds it. Blocks:
     * call it on a worker thread, never an event loop.
     *
     * @throws IllegalArgumentException when the index refuses the update (nothing is applied anywhere that
     *                                  refuses it the same way)
     * @throws CatalogUnavailableException when the update could not be shared, or not applied in time
     */
    void write(ItemUpdate update);

    /** The shared catalog did not take an update (the stream refused it, or it was not applied in time). */
    final class CatalogUnavailableException extends RuntimeException {

        public CatalogUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
