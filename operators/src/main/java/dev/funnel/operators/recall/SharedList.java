package dev.funnel.operators.recall;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.index.CatalogView;
import dev.funnel.index.Filter;
import dev.funnel.index.ItemIndex;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A candidate list that is the same for every user (hot, fresh), computed once per index version
 * (and minute, for time windows) and shared: a request that finds it current pays one atomic read.
 *
 * <p>It is a {@link CatalogView} of the index: a writer that acknowledges a change (the items API)
 * calls {@link ItemIndex#refreshViews} on its own thread first, which recomputes the list there, so
 * every request after the acknowledgement is served a list that holds the change — new items,
 * changed scores, deletions. When the index changed without such a refresh (the item stream) or the
 * minute turned, a request gets the last list re-checked against the index (a deleted or filtered-out
 * item is not served; new items and changed scores wait) while one background refresh recomputes it:
 * an event loop recomputes only the very first list.
 *
 * <p>Threads: {@link #get} on event loops, {@link #refresh} on writer threads, the background refresh
 * on the common pool, all at once. The cached list only moves forward in catalog version, so a slow
 * refresh that read the catalog before a write never replaces the list the write's refresh installed.
 */
final class SharedList implements CatalogView {

    /** {@code version}: the index version read before {@code list} was computed, so the list holds every change up to it. */
    private record Cached(long version, long minute, String source, Candidates list) {
    }

    private final ItemIndex index;
    private final Filter filter;
    private final LongSupplier minute;
    private final Function<String, Candidates> compute;
    private final AtomicReference<Cached> cache = new AtomicReference<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();

    private SharedList(ItemIndex index, Filter filter, LongSupplier minute, Function<String, Candidates> compute) {
        this.index = index;
        this.filter = filter;
        this.minute = minute;
        this.compute = compute;
    }

    /**
     * A shared list registered with {@code index} as a view (held weakly: it lives as long as its operator).
     *
     * @param filter  what every item of the list must still pass when served from a stale list
     * @param minute  the time-window key: the current minute when the list depends on the clock, else a constant
     * @param compute the list for a node (its id is the source), from the catalog as it is; any thread, blocks on nothing
     */
    static SharedList register(ItemIndex index, Filter filter, LongSupplier minute, Function<String, Candidates> compute) {
        SharedList list = new SharedList(index, filter, minute, compute);
        index.registerView(list);
        return list;
    }

    /** The current list for the node {@code source}. Event loops; never blocks. */
    Candidates get(String source) {
        long version = index.version();
        long m = minute.getAsLong();
        Cached c = cache.get(); // an AtomicReference read, never blocks; racy once: staleness is detected by version and minute
        if (c != null && c.version == version && c.minute == m && c.source.equals(source)) {
            return c.list;
        }
        if (c == null || !c.source.equals(source)) {
            Candidates list = compute.apply(source); // the recall itself, on the caller's thread as without the cache; it waits on nothing
            install(new Cached(version, m, source, list));
            return list;
        }
        if (refreshing.compareAndSet(false, true)) {
            ForkJoinPool.commonPool().execute(() -> {
                try {
                    recompute(source);
                } finally {
                    refreshing.set(false);
                }
            });
        }
        long[] ids = c.list.idsCopy();
        float[] scores = c.list.scoresCopy();
        int n = index.retain(filter, ids, scores, ids.length);
        return Candidates.ofSource(source, ids, scores, n); // the copies above are this request's
    }

    /** Recomputes the list on this (writer) thread unless it is current or was never asked for. */
    @Override
    public void refresh() {
        Cached c = cache.get(); // an AtomicReference read, never blocks (a writer's thread, never an event loop)
        if (c == null || (c.version == index.version() && c.minute == minute.getAsLong())) {
            return; // the first request computes it; or another writer's refresh already covers this version
        }
        recompute(c.source);
    }

    private void recompute(String source) {
        long version = index.version(); // before computing: the list then holds at least this version's changes
        long m = minute.getAsLong();
        install(new Cached(version, m, source, compute.apply(source)));
    }

    /** Installs {@code next} unless the cache already holds a list of a later catalog version (or the same, later minute). */
    private void install(Cached next) {
        while (true) {
            Cached cur = cache.get(); // an AtomicReference read in a CAS loop: never blocks
            if (cur != null && cur.source.equals(next.source)
                    && (cur.version > next.version || (cur.version == next.version && cur.minute >= next.minute))) {
                return;
            }
            if (cache.compareAndSet(cur, next)) {
                return;
            }
        }
    }
}
