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

    private static final System.Logger LOG = System.getLogger(CatalogViews.class.getName());

    private final ConcurrentLinkedQueue<WeakReference<CatalogView>> views = new ConcurrentLinkedQueue<>();

    void register(CatalogView view) {
        // Every compile registers its operators' views (a DAG swap, a reload, even an admin check that
        // compiles and drops), and only refreshAll dropped the collected ones: on a server whose catalog
        // is written by the item stream alone it never runs, so the entries piled up one per compile.
        // Registration is rare (compile time), so a pass over the queue here is cheap.
        views.removeIf(r -> r.refersTo(null));
        views.add(new WeakReference<>(view));
    }

    /** Registered entries, collected ones included until the next registration or refresh (tests). */
    int size() {
        return views.size();
    }

    /** Refreshes every live view on the calling thread, dropping the ones that were collected. */
    void refreshAll() {
        for (Iterator<WeakReference<CatalogView>> it = views.iterator(); it.hasNext(); ) {
            CatalogView v = it.next().get(); // a WeakReference read, never blocks (writer threads only, never an event loop)
            if (v == null) {
                it.remove();
            } else {
                try {
                    v.refresh();
                } catch (RuntimeException e) { // one broken view must not keep the others stale; it serves its last list
                    LOG.log(System.Logger.Level.WARNING, "could not refresh catalog view " + v, e);
                }
            }
        }
    }
}
