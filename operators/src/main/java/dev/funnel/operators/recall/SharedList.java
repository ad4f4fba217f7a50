package dev.funnel.operators.recall;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.index.Filter;
import dev.funnel.index.ItemIndex;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A candidate list that is the same for every user (hot, fresh), computed once per index version
 * (and minute, for time windows) and shared. When the index has changed, a request gets the previous
 * list re-checked against the index (so a deleted or changed item is never served) while one
 * background refresh recomputes it: the event loop never pays for the recompute after the first time.
 */
final class SharedList {

    private record Cached(long version, long minute, String source, Candidates list) {
    }

    private final AtomicReference<Cached> cache = new AtomicReference<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();

    /**
     * The current list for this node.
     *
     * @param filter what every item of the list must still pass when served from a stale list
     */
    Candidates get(String source, ItemIndex index, Filter filter, long minute, Supplier<Candidates> compute) {
        long version = index.version();
        Cached c = cache.get(); // an AtomicReference read, never blocks; racy once: staleness is detected by version and minute
        if (c != null && c.version == version && c.minute == minute && c.source.equals(source)) {
            return c.list;
        }
        if (c == null || !c.source.equals(source)) {
            Candidates list = compute.get(); // a Supplier, not a future: the recall itself, computed on the caller's thread as without the cache; it waits on nothing
            cache.set(new Cached(version, minute, source, list));
            return list;
        }
        if (refreshing.compareAndSet(false, true)) {
            ForkJoinPool.commonPool().execute(() -> {
                try {
                    long v = index.version();
                    cache.set(new Cached(v, minute, source, compute.get()));
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
}
