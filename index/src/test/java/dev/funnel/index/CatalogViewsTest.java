package dev.funnel.index;

import org.junit.jupiter.api.Test;

import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogViewsTest {

    @Test
    void viewsOfSwappedOutDagsDoNotPileUpWithoutRefreshes() throws Exception {
        CatalogViews views = new CatalogViews();
        AtomicInteger refreshed = new AtomicInteger();
        CatalogView live = refreshed::incrementAndGet; // held here, as a serving DAG holds its operators'
        views.register(live);
        // Many compiles of DAGs that were then swapped out, and no writer refreshing in between
        // (the catalog fed by the item stream only).
        for (int i = 0; i < 10_000; i++) {
            views.register(new CountingView());
        }
        int size = Integer.MAX_VALUE;
        for (int i = 0; i < 50 && size > 2; i++) {
            System.gc();
            Thread.sleep(20);
            views.register(new CountingView()); // the next compile
            size = views.size();
        }
        assertTrue(size <= 2, "entries of collected views are kept: " + size);
        views.refreshAll();
        assertEquals(1, refreshed.get(), "the live view is still refreshed");
        Reference.reachabilityFence(live);
    }

    /** Not a lambda: a non-capturing lambda is one shared instance that is never collected. */
    private static final class CountingView implements CatalogView {
        @Override
        public void refresh() {
        }
    }
}
