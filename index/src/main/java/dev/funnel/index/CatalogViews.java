package dev.funnel.index;

import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The {@link CatalogView}s of one index, held weakly: a view belongs to an operator of a compiled
 * DAG, and a DAG that was swapped out must not be kept alive (nor refreshed) by the catalog.
 * Thread-safe without locks: registration may happen on any thread, refreshes on writer threads.
 */
final class CatalogViews {

    private final ConcurrentLinkedQueue<WeakReference<CatalogView>> views = new ConcurrentLinkedQueue<>();

    void register(CatalogView view) {
        views.add(new WeakReference<>(view));
    }

    /** Refreshes every live view on the calling thread, dropping the ones that were collected. */
    void refreshAll() {
        for (Iterator<WeakReference<CatalogView>> it = views.iterator(); it.hasNext(); ) {
            CatalogView v = it.next().get();
            if (v == null) {
                it.remove();
            } else {
                v.refresh();
            }
        }
    }
}
