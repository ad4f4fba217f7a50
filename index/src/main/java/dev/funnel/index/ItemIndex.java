package dev.funnel.index;

import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.util.Bits;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The item index: forward index (columns by internal ordinal), inverted indexes (term → RoaringBitmap
 * of ordinals, filters pushed down), score-ordered lists for "top N by popularity / freshness", and
 * the vector index (jvector graph, exact search for small candidate sets).
 *
 * <p>Threads: reads and searches are lock-free and may run on any thread, event loops included;
 * each loads the current published {@link IndexState} once and sees a consistent catalog. Writes
 * ({@link #apply}, {@link #bulkLoad}) are serialized by a lock among writer threads and must not be
 * called from an event loop (an upsert with an embedding links it into the graph, ~0.1–1 ms). A write
 * is visible to every read that starts after it returns.
 *
 * <p>Updates never modify a published row: an upsert appends a new row and retires the old one in
 * the same published state, so a reader sees the whole old item or the whole new one, never a mix.
 */
public final class ItemIndex implements ItemStore {

    private final IndexConfig config;
    private final LongSupplier clockMillis;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final TermDictionary dict = new TermDictionary();
    private final LongIntMap ordById = new LongIntMap(1024);
    private final VectorGraph graph;
    private final CatalogViews views = new CatalogViews();
    private volatile IndexState state = IndexState.empty(1024);

    /**
     * @param config      shape of the index
     * @param clockMillis "now" for age filters and freshness scores (the sim world's clock in demo mode)
     */
    public ItemIndex(IndexConfig config, LongSupplier clockMillis) {
        this(config, clockMillis, PartitionLists.TRAIN_AT_NODES);
    }

    /** Tests: inverted lists trained from {@code partitionTrainAtNodes} vectors instead of the default. */
    ItemIndex(IndexConfig config, LongSupplier clockMillis, int partitionTrainAtNodes) {
        this.config = config;
        this.clockMillis = clockMillis;
        this.graph = new VectorGraph(config.dim(), config.similarity(), config.graphMaxDegree(), config.graphBeamWidth(),
                partitionTrainAtNodes);
    }

    public IndexConfig config() {
        return config;
    }

    /** Now, by the index's clock. */
    public long nowMillis() {
        return clockMillis.getAsLong();
    }

    /** Increases with every applied change; a cheap cache key for derived results. */
    public long version() {
        return state.version;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Applies one change: the single entry point for the HTTP API, the item stream and bulk loads.
     * Writer threads only.
     *
     * @return true when the catalog changed (a delete of an unknown item returns false)
     * @throws IllegalArgumentException when the item does not fit the index (embedding dimension)
     */
    public boolean apply(ItemUpdate update) {
        writeLock.lock();
        try {
            if (update instanceof ItemUpdate.Upsert u) {
                doUpsert(u.item());
                return true;
            }
            return doDelete(update.itemId());
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Registers a cache derived from this catalog, held weakly (it lives as long as its owner, an
     * operator of a compiled DAG, holds it). Any thread.
     */
    public void registerView(CatalogView view) {
        views.register(view);
    }

    /**
     * Brings every registered {@link CatalogView} up to date with the catalog as it is now, on the
     * calling thread: a writer that promises "every later request sees it" (the items API) calls it
     * after {@link #apply} and before it answers. Writer threads only, never an event loop (each view
     * recomputes its list, ~0.1–1 ms).
     */
    public void refreshViews() {
        views.refreshAll();
    }

    /** Shorthand for {@code apply(new Upsert(item))}. */
    public boolean upsert(ItemRecord item) {
        return apply(new ItemUpdate.Upsert(item));
    }

    /** Shorthand for {@code apply(new Delete(id))}. */
    public boolean delete(long itemId) {
        return apply(new ItemUpdate.Delete(itemId));
    }

    /**
     * Loads many items. Into an empty index this builds columns, postings and the graph in bulk
     * (the graph in parallel on the common pool); otherwise it applies each as an upsert.
     */
    public void bulkLoad(List<ItemRecord> items) {
        writeLock.lock();
        try {
            if (state.rows != 0) {
                for (ItemRecord r : items) {
                    doUpsert(r);
                }
                return;
            }
            Columns cols = new Columns(Math.max(1024, items.size() + items.size() / 8));
            LongIntMap seen = new LongIntMap(items.size());
            int n = 0;
            for (ItemRecord r : items) {
                checkDim(r);
                if (seen.get(r.id()) != LongIntMap.MISSING) {
                    throw new IllegalArgumentException("bulk load: item " + r.id() + " appears twice");
                }
                cols.write(n, r);
                seen.put(r.id(), n);
                n++;
            }
            graph.addAll(n, cols.embedding, cols.node);
            installRows(cols, n);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writer lock held, index empty: publishes rows [0, n) of {@code cols} as the catalog, all live,
     * building postings and ordered lists. The graph (and {@code cols.node}) must already be filled.
     */
    void installRows(Columns cols, int n) {
        RoaringBitmap live = new RoaringBitmap();
        live.add(0L, (long) n);
        List<RoaringBitmap> postings = new ArrayList<>();
        for (int ord = 0; ord < n; ord++) {
            for (String[] t : terms(cols, ord)) {
                int term = dict.getOrAdd(t[0], t[1]);
                while (postings.size() <= term) {
                    postings.add(new RoaringBitmap());
                }
                postings.get(term).add(ord);
            }
        }
        RoaringBitmap[] post = postings.toArray(new RoaringBitmap[0]);
        for (RoaringBitmap b : post) {
            b.runOptimize();
        }
        state = new IndexState(state.version + 1, cols, n, live, post, RankedLists.rebuild(cols, live, n, post.length), new int[64], 0);
        for (int ord = 0; ord < n; ord++) {
            ordById.put(cols.ids[ord], ord);
        }
    }

    /**
     * Runs {@code body} holding the writer lock (snapshots read a quiescent index). May block: only
     * snapshot writing and restoring call it, on their own threads, never an event loop.
     */
    <T> T underWriteLock(java.util.function.Supplier<T> body) {
        writeLock.lock();
        try {
            return body.get(); // a Supplier, run here under the lock: snapshot threads only, never an event loop
        } finally {
            writeLock.unlock();
        }
    }

    VectorGraph graph() {
        return graph;
    }

    IndexState state() {
        return state;
    }

    private void checkDim(ItemRecord r) {
        if (r.embedding() != null && r.embedding().length != config.dim()) {
            throw new IllegalArgumentException("item " + r.id() + ": embedding has dimension " + r.embedding().length
                    + ", the index has " + config.dim());
        }
    }

    private void doUpsert(ItemRecord r) {
        checkDim(r);
        IndexState s = state;
        int old = ordById.get(r.id());
        Columns cols = s.columns;
        int ord = s.rows;
        if (ord == cols.capacity()) {
            cols = cols.grow(ord + 1);
        }
        cols.write(ord, r);

        List<String[]> added = terms(cols, ord);
        int[] addTerms = new int[added.size()];
        for (int i = 0; i < addTerms.length; i++) {
            addTerms[i] = dict.getOrAdd(added.get(i)[0], added.get(i)[1]);
        }
        RoaringBitmap[] postings = Arrays.copyOf(s.postings, Math.max(s.postings.length, dict.size()));
        int[] cloned = new int[16];
        int nCloned = 0;
        for (int t : addTerms) {
            nCloned = own(postings, t, cloned, nCloned);
            postings[t].add(ord);
            cloned = grow(cloned, nCloned);
        }
        RoaringBitmap live = s.live.clone();
        live.add(ord);
        if (old != LongIntMap.MISSING) {
            live.remove(old);
            for (String[] t : terms(cols, old)) {
                int term = dict.find(t[0], t[1]);
                nCloned = own(postings, term, cloned, nCloned);
                postings[term].remove(old);
                cloned = grow(cloned, nCloned);
            }
        }
        int oldNode = old == LongIntMap.MISSING ? -1 : cols.node[old];
        if (oldNode >= 0 && Arrays.equals(r.embedding(), cols.embedding[old])) {
            cols.node[ord] = oldNode; // same vector: the node moves to the new row, the graph is untouched
            graph.repoint(oldNode, ord);
        } else {
            if (r.embedding() != null) {
                cols.node[ord] = graph.add(r.embedding(), ord);
            }
            if (oldNode >= 0) {
                graph.markDeleted(oldNode);
            }
        }
        publish(s, cols, ord + 1, live, postings, ord);
        ordById.put(r.id(), ord);
    }

    private boolean doDelete(long id) {
        IndexState s = state;
        int old = ordById.get(id);
        if (old == LongIntMap.MISSING) {
            return false;
        }
        RoaringBitmap live = s.live.clone();
        live.remove(old);
        RoaringBitmap[] postings = s.postings.clone();
        int[] cloned = new int[16];
        int nCloned = 0;
        for (String[] t : terms(s.columns, old)) {
            int term = dict.find(t[0], t[1]);
            nCloned = own(postings, term, cloned, nCloned);
            postings[term].remove(old);
            cloned = grow(cloned, nCloned);
        }
        if (s.columns.node[old] >= 0) {
            graph.markDeleted(s.columns.node[old]);
        }
        publish(s, s.columns, s.rows, live, postings, -1);
        ordById.put(id, LongIntMap.MISSING);
        return true;
    }

    /** Replaces postings[t] by a private copy once per write, so published bitmaps never change. */
    private static int own(RoaringBitmap[] postings, int t, int[] cloned, int n) {
        for (int i = 0; i < n; i++) {
            if (cloned[i] == t) {
                return n;
            }
        }
        postings[t] = postings[t] == null ? new RoaringBitmap() : postings[t].clone();
        cloned[n] = t;
        return n + 1;
    }

    private static int[] grow(int[] a, int n) {
        return n < a.length ? a : Arrays.copyOf(a, a.length * 2);
    }

    private void publish(IndexState s, Columns cols, int rows, RoaringBitmap live, RoaringBitmap[] postings, int appended) {
        RankedLists ranked = s.ranked;
        int[] tail = s.tail;
        int tailSize = s.tailSize;
        if (appended >= 0) {
            if (tailSize + 1 >= config.rankedRebuildEvery()) {
                ranked = RankedLists.rebuild(cols, live, rows, postings.length);
                tail = new int[64];
                tailSize = 0;
            } else {
                tail = Arrays.copyOf(tail, Math.max(tail.length, Math.min(tailSize * 2 + 8, config.rankedRebuildEvery())));
                tail[tailSize++] = appended;
            }
        }
        state = new IndexState(s.version + 1, cols, rows, live, postings, ranked, tail, tailSize);
    }

    /** The (field, term) pairs a row is indexed under. */
    private List<String[]> terms(Columns c, int ord) {
        List<String[]> out = new ArrayList<>(8);
        out.add(new String[] {ItemFields.CATEGORY, c.category[ord]});
        out.add(new String[] {ItemFields.AUTHOR, c.author[ord]});
        out.add(new String[] {ItemFields.STATUS, c.online[ord] ? ItemRecord.ONLINE : ItemRecord.OFFLINE});
        for (String t : c.tags[ord]) {
            out.add(new String[] {ItemFields.TAGS, t});
        }
        Map<String, Object> attrs = c.attributes[ord];
        for (String f : config.indexedFields()) {
            Object v = attrs.get(f);
            if (v instanceof List<?> l) {
                for (Object o : l) {
                    out.add(new String[] {f, String.valueOf(o)});
                }
            } else if (v != null) {
                out.add(new String[] {f, String.valueOf(v)});
            }
        }
        return out;
    }


    static double key(Columns c, ScoreField f, int ord) {
        return f == ScoreField.POPULARITY ? c.popularity[ord] : (double) c.createdAtMillis[ord];
    }

    // ---------------------------------------------------------------- queries

    /**
     * The best {@code n} live items passing the filter, ordered by a score field; fills the arrays
     * best first and returns how many (fewer than n only when fewer pass). Any thread; no locks.
     */
    public int top(Filter filter, ScoreField by, int n, long[] outIds, float[] outScores) {
        if (n <= 0) {
            return 0;
        }
        IndexState s = state;
        FilterPlan p = FilterPlan.resolve(s, dict, filter, nowMillis());
        return top(p, by, n, outIds, outScores);
    }

    /**
     * Like {@link #top(Filter, ScoreField, int, long[], float[])} restricted to items that have
     * {@code term} in {@code field} (a posting list), e.g. one interest tag with its own quota.
     */
    public int topInTerm(String field, String term, Filter filter, ScoreField by, int n, long[] outIds, float[] outScores) {
        if (n <= 0) {
            return 0;
        }
        IndexState s = state;
        int t = dict.find(field, term);
        if (t == TermDictionary.ABSENT) {
            return 0;
        }
        // A term first indexed after the last rebuild of the ordered lists has none; a filter that
        // already names the field narrows its value set (Filter.and), which the general path applies.
        int[] list = filter.terms().containsKey(field) ? null : s.ranked.inTerm(by, t, s);
        if (list == null) {
            return top(filter.and(field, List.of(term)), by, n, outIds, outScores);
        }
        // The term's own ordered list, walked best first until n rows pass the filter, then the
        // rows appended since the list was built: ~n filter checks instead of a selection over
        // the whole (term AND filter) posting list.
        FilterPlan p = FilterPlan.resolve(s, dict, filter, nowMillis());
        Columns c = s.columns;
        int[] ords = new int[Math.min(n, list.length + s.tailSize)];
        int taken = 0;
        for (int i = 0; i < list.length && taken < ords.length; i++) {
            int ord = list[i];
            if (by == ScoreField.FRESHNESS && c.createdAtMillis[ord] < p.createdMinMillis) {
                break; // ordered by creation: nothing further can pass the age condition
            }
            if (p.get(ord)) {
                ords[taken++] = ord;
            }
        }
        RoaringBitmap posting = s.posting(t);
        for (int i = 0; i < s.tailSize; i++) {
            int ord = s.tail[i];
            if (posting.contains(ord) && p.get(ord)) {
                taken = insertRanked(ords, taken, ord, c, by);
            }
        }
        return emit(c, by, ords, taken, outIds, outScores);
    }

    /**
     * Inserts ord into ords[0, taken), kept best first (ties: lower ordinal first) and at most
     * ords.length long; returns the new count.
     */
    private static int insertRanked(int[] ords, int taken, int ord, Columns c, ScoreField by) {
        double k = key(c, by, ord);
        int at = taken;
        while (at > 0 && worse(c, by, ords[at - 1], k, ord)) {
            at--;
        }
        if (at >= ords.length) {
            return taken;
        }
        int moved = Math.min(taken, ords.length - 1) - at;
        System.arraycopy(ords, at, ords, at + 1, moved);
        ords[at] = ord;
        return Math.min(taken + 1, ords.length);
    }

    /** Whether row a ranks below a row with key k and ordinal b. */
    private static boolean worse(Columns c, ScoreField by, int a, double k, int b) {
        double ka = key(c, by, a);
        return ka < k || (ka == k && a > b);
    }

    /** Writes rows ords[0, m) (best first) as ids and scores; returns m. */
    private int emit(Columns c, ScoreField by, int[] ords, int m, long[] outIds, float[] outScores) {
        long now = nowMillis();
        for (int i = 0; i < m; i++) {
            int ord = ords[i];
            outIds[i] = c.ids[ord];
            outScores[i] = by == ScoreField.POPULARITY ? (float) c.popularity[ord]
                    : (float) (1.0 / (1.0 + Math.max(0, now - c.createdAtMillis[ord]) / 3_600_000.0));
        }
        return m;
    }

    private int top(FilterPlan p, ScoreField by, int n, long[] outIds, float[] outScores) {
        IndexState s = p.state;
        int card = p.candidates.getCardinality();
        if (card == 0) {
            return 0;
        }
        Columns c = s.columns;
        TopK top = new TopK(Math.min(n, card));
        long total = s.live.getCardinality();
        // Walking the ordered list costs ~n·total/card membership tests; selecting over the
        // candidates costs ~card reads. Take the cheaper.
        if ((double) n * total < 0.25 * (double) card * card) {
            int[] ranked = s.ranked.byField[by.ordinal()];
            int taken = 0;
            for (int i = 0; i < ranked.length && taken < n; i++) {
                int ord = ranked[i];
                if (by == ScoreField.FRESHNESS && c.createdAtMillis[ord] < p.createdMinMillis) {
                    break; // ordered by creation: nothing further can pass the age condition
                }
                if (p.get(ord)) {
                    top.offer(ord, key(c, by, ord));
                    taken++;
                }
            }
            for (int i = 0; i < s.tailSize; i++) {
                int ord = s.tail[i];
                if (p.get(ord)) {
                    top.offer(ord, key(c, by, ord));
                }
            }
        } else {
            PeekableIntIterator it = p.candidates.getIntIterator();
            while (it.hasNext()) {
                int ord = it.next();
                if (p.rowPasses(ord)) {
                    top.offer(ord, key(c, by, ord));
                }
            }
        }
        int[] ords = new int[top.size()];
        double[] keys = new double[top.size()];
        return emit(c, by, ords, top.drainDescending(ords, keys), outIds, outScores);
    }

    /**
     * Keeps, in place and in order, the rows {@code [0, n)} whose item is live and passes the
     * filter; returns how many remain. For recall sources that find ids elsewhere (co-clicks) and
     * filter them here. Any thread.
     */
    public int retain(Filter filter, long[] ids, float[] scores, int n) {
        FilterPlan p = FilterPlan.resolve(state, dict, filter, nowMillis());
        int m = 0;
        for (int i = 0; i < n; i++) {
            int ord = ordById.get(ids[i]);
            if (ord >= 0 && ord < p.state.rows && p.get(ord)) {
                ids[m] = ids[i];
                scores[m++] = scores[i];
            }
        }
        return m;
    }

    /** How many live items pass the filter. Any thread. */
    public int count(Filter filter) {
        FilterPlan p = FilterPlan.resolve(state, dict, filter, nowMillis());
        if (!p.hasRowChecks()) {
            return p.candidates.getCardinality();
        }
        int n = 0;
        PeekableIntIterator it = p.candidates.getIntIterator();
        while (it.hasNext()) {
            if (p.rowPasses(it.next())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Up to {@code n} distinct live items passing the filter, drawn uniformly at random; scores are
     * 0. Any thread.
     */
    public int sample(Filter filter, int n, SplittableRandom random, long[] outIds, float[] outScores) {
        FilterPlan p = FilterPlan.resolve(state, dict, filter, nowMillis());
        int card = p.candidates.getCardinality();
        if (card == 0 || n <= 0) {
            return 0;
        }
        Columns c = p.state.columns;
        int m = 0;
        if (card <= 2 * n) {
            // small set: shuffle all passing rows and take n
            int[] all = new int[card];
            int k = 0;
            PeekableIntIterator it = p.candidates.getIntIterator();
            while (it.hasNext()) {
                int ord = it.next();
                if (p.rowPasses(ord)) {
                    all[k++] = ord;
                }
            }
            for (int i = 0; i < k && m < n; i++) {
                int j = i + random.nextInt(k - i);
                int t = all[i];
                all[i] = all[j];
                all[j] = t;
                outIds[m] = c.ids[all[i]];
                outScores[m++] = 0f;
            }
            return m;
        }
        RoaringBitmap picked = new RoaringBitmap();
        for (int tries = 0; tries < n * 8 && m < n; tries++) {
            int ord = p.candidates.select(random.nextInt(card));
            if (!picked.checkedAdd(ord) || !p.rowPasses(ord)) {
                continue;
            }
            outIds[m] = c.ids[ord];
            outScores[m++] = 0f;
        }
        return m;
    }

    /**
     * The {@code k} live items nearest to {@code query} that pass the filter, best first, scored on
     * the similarity's "higher is closer" scale. Small candidate sets (fewer than
     * {@link IndexConfig#exactSearchBelow()} items, or 4·ef) are searched exactly; otherwise the graph
     * is searched with beam width {@code ef} and the filter checked inside the search. Any thread.
     */
    public int nearest(float[] query, int k, int ef, Filter filter, long[] outIds, float[] outScores) {
        checkQuery(query);
        if (k <= 0) {
            return 0;
        }
        FilterPlan p = FilterPlan.resolve(state, dict, filter, nowMillis());
        int card = p.candidates.getCardinality();
        if (card <= Math.max(config.exactSearchBelow(), 4 * Math.max(k, ef))) {
            return exact(p, query, k, outIds, outScores);
        }
        // No filter: the graph's own "owned by a live row" test replaces a bitmap probe per node;
        // the re-check below still holds results to this query's state.
        SearchResult.NodeScore[] found = graph.search(query, k, ef, p.acceptsAllLive() ? Bits.ALL : p);
        return recheck(p, found, k, outIds, outScores);
    }

    /**
     * Like {@link #nearest}, but through the inverted lists (IVF): the query scores the k-means
     * centroids, then every vector in the {@code nprobe} nearest lists exactly, checking the filter
     * inside the scan. Catalogs below {@value PartitionLists#TRAIN_AT_NODES} vectors have no lists
     * and are searched exactly, and so is a filter whose candidates are fewer than the probe would
     * scan; a filter leaving fewer than k hits in the probed lists doubles {@code nprobe} until it
     * finds k or has scanned every list. On clustered embeddings this reaches a graph's recall
     * scoring far fewer vectors (see BENCHMARKS.md {@code ## index}). Any thread.
     *
     * @param nprobe lists to scan (at least 1); more lists, higher recall
     */
    public int nearestPartitioned(float[] query, int k, int nprobe, Filter filter, long[] outIds, float[] outScores) {
        checkQuery(query);
        if (nprobe < 1) {
            throw new IllegalArgumentException("nprobe must be >= 1, got " + nprobe);
        }
        if (k <= 0) {
            return 0;
        }
        FilterPlan p = FilterPlan.resolve(state, dict, filter, nowMillis());
        int lists = graph.partitionCount();
        int card = p.candidates.getCardinality();
        long probeScan = lists == 0 ? 0 : (long) graph.nodeCount() * Math.min(nprobe, lists) / lists;
        if (lists == 0 || card <= config.exactSearchBelow() || card < probeScan) {
            return exact(p, query, k, outIds, outScores);
        }
        Bits accept = p.acceptsAllLive() ? Bits.ALL : p;
        int probes = Math.min(nprobe, lists);
        int[] nodes = new int[k];
        float[] scores = new float[k];
        int found = graph.searchPartitions(query, k, probes, accept, nodes, scores);
        while (found < k && probes < lists) {
            probes = Math.min(lists, probes * 2);
            found = graph.searchPartitions(query, k, probes, accept, nodes, scores);
        }
        return recheck(p, nodes, scores, found, k, outIds, outScores);
    }

    /** {@link #recheck(FilterPlan, int[], float[], int, int, long[], float[])} of a graph search's results. */
    private int recheck(FilterPlan p, SearchResult.NodeScore[] found, int k, long[] outIds, float[] outScores) {
        int[] nodes = new int[found.length];
        float[] scores = new float[found.length];
        for (int i = 0; i < found.length; i++) {
            nodes[i] = found[i].node;
            scores[i] = found[i].score;
        }
        return recheck(p, nodes, scores, found.length, k, outIds, outScores);
    }

    /**
     * Copies up to k of the n nodes found (best first) into the outputs, keeping only nodes still owned
     * by a row this query's plan accepts: a writer may have re-pointed a node since the search accepted it.
     */
    private int recheck(FilterPlan p, int[] nodes, float[] scores, int n, int k, long[] outIds, float[] outScores) {
        Columns c = p.state.columns;
        int m = 0;
        for (int i = 0; i < n && m < k; i++) {
            int ord = graph.ordOf(nodes[i]);
            if (ord >= 0 && ord < p.state.rows && p.get(ord)) {
                outIds[m] = c.ids[ord];
                outScores[m++] = scores[i];
            }
        }
        return m;
    }

    /** Exact (brute-force) nearest neighbours, the oracle for {@link #nearest}. Any thread. */
    public int exactNearest(float[] query, int k, Filter filter, long[] outIds, float[] outScores) {
        checkQuery(query);
        if (k <= 0) {
            return 0;
        }
        return exact(FilterPlan.resolve(state, dict, filter, nowMillis()), query, k, outIds, outScores);
    }

    private int exact(FilterPlan p, float[] query, int k, long[] outIds, float[] outScores) {
        Columns c = p.state.columns;
        TopK top = new TopK(k);
        PeekableIntIterator it = p.candidates.getIntIterator();
        while (it.hasNext()) {
            int ord = it.next();
            if (c.node[ord] >= 0 && p.rowPasses(ord)) {
                top.offer(ord, graph.score(query, c.node[ord]));
            }
        }
        int[] ords = new int[top.size()];
        double[] keys = new double[top.size()];
        int m = top.drainDescending(ords, keys);
        for (int i = 0; i < m; i++) {
            outIds[i] = c.ids[ords[i]];
            outScores[i] = (float) keys[i];
        }
        return m;
    }

    private void checkQuery(float[] query) {
        if (query.length != config.dim()) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", the index has " + config.dim());
        }
    }

    // ---------------------------------------------------------------- ItemStore

    /** The whole item, or null when unknown or deleted. */
    public ItemRecord get(long itemId) {
        int ord = ordById.get(itemId);
        return ord < 0 ? null : state.columns.read(ord);
    }

    @Override
    public int size() {
        return state.live.getCardinality();
    }

    @Override
    public boolean contains(long itemId) {
        return ordById.get(itemId) >= 0;
    }

    @Override
    public String category(long itemId) {
        int ord = ordById.get(itemId);
        return ord < 0 ? null : state.columns.category[ord];
    }

    @Override
    public String author(long itemId) {
        int ord = ordById.get(itemId);
        return ord < 0 ? null : state.columns.author[ord];
    }

    @Override
    public List<String> tags(long itemId) {
        int ord = ordById.get(itemId);
        return ord < 0 ? List.of() : state.columns.tags[ord];
    }

    @Override
    public String status(long itemId) {
        int ord = ordById.get(itemId);
        return ord < 0 ? null : state.columns.online[ord] ? ItemRecord.ONLINE : ItemRecord.OFFLINE;
    }

    @Override
    public long createdAtMillis(long itemId) {
        int ord = ordById.get(itemId);
        return ord < 0 ? Long.MIN_VALUE : state.columns.createdAtMillis[ord];
    }

    @Override
    public double popularity(long itemId) {
        int ord = ordById.get(itemId);
        return ord < 0 ? 0 : state.columns.popularity[ord];
    }

    @Override
    public float[] embedding(long itemId) {
        int ord = ordById.get(itemId);
        return ord < 0 ? null : state.columns.embedding[ord];
    }

    /**
     * Passes of independent loads (ids to ordinals, ordinals to vectors, one read per cache line of
     * each vector), so the core keeps many cache misses in flight; one id at a time chains them
     * (hash slot, vector reference, vector) and the caller's dot products then wait on memory one
     * vector at a time. One read of the columns for the whole call.
     */
    @Override
    public void embeddings(long[] ids, int n, float[][] out) {
        int[] ords = resolve(ids, n);
        float[][] vectors = state.columns.embedding;
        for (int i = 0; i < n; i++) {
            int ord = ords[i];
            out[i] = ord < 0 ? null : vectors[ord];
        }
        float touched = 0;
        for (int i = 0; i < n; i++) {
            touched += touchLines(out[i]);
        }
        sink = touched;
    }

    /**
     * One lookup per id and one row object per item ({@code Columns.FeatureRow}, not six columns) for
     * the whole call: ids resolve first, then the rows are fetched and their vectors' cache lines
     * touched, then the rows go to the sink; each pass is independent loads, so the core keeps many
     * cache misses in flight where item-by-item reads would chain them.
     */
    @Override
    public void read(long[] ids, int n, AttributeSink out) {
        int[] ords = resolve(ids, n);
        Columns.FeatureRow[] all = state.columns.featureRow;
        Columns.FeatureRow[] rows = new Columns.FeatureRow[n];
        for (int i = 0; i < n; i++) {
            int ord = ords[i];
            rows[i] = ord < 0 ? null : all[ord];
        }
        float touched = 0;
        for (int i = 0; i < n; i++) { // each row's object, then its vector: independent across rows
            Columns.FeatureRow r = rows[i];
            if (r != null) {
                touched += touchLines(r.embedding());
            }
        }
        sink = touched;
        for (int i = 0; i < n; i++) {
            Columns.FeatureRow r = rows[i];
            if (r == null) {
                out.item(i, null, null, List.of(), Long.MIN_VALUE, 0, null);
            } else {
                out.item(i, r.category(), r.author(), r.tags(), r.createdAtMillis(), r.popularity(), r.embedding());
            }
        }
    }

    /**
     * Ordinals of ids[0..n) (MISSING for unknown ids), in a new array: a few KB from the TLAB, cheaper
     * than a ThreadLocal scratch on the worker threads' crowded ThreadLocalMaps.
     */
    private int[] resolve(long[] ids, int n) {
        int[] ords = new int[n];
        for (int i = 0; i < n; i++) {
            ords[i] = ordById.get(ids[i]);
        }
        return ords;
    }

    private static float touchLines(float[] v) {
        float touched = 0;
        if (v != null) {
            for (int d = 0; d < v.length; d += FLOATS_PER_LINE) {
                touched += v[d];
            }
        }
        return touched;
    }

    private static final int FLOATS_PER_LINE = 16;
    /** Keeps the JIT from dropping the touching loops as dead code; its value means nothing. */
    @SuppressWarnings("unused")
    private static volatile float sink;

    @Override
    public Object attribute(long itemId, String field) {
        int ord = ordById.get(itemId);
        return ord < 0 ? null : state.columns.field(ord, field);
    }

    /** Ids resolved in one pass of independent loads, then the rows read from one read of the columns. */
    @Override
    public void attributes(long[] ids, int n, String field, Object[] out) {
        int[] ords = resolve(ids, n);
        Columns c = state.columns;
        for (int i = 0; i < n; i++) {
            int ord = ords[i];
            out[i] = ord < 0 ? null : c.field(ord, field);
        }
    }

    /**
     * The values of an indexed field that at least one live item has, sorted. Any thread; allocates,
     * so callers cache it (it changes only with the catalog's version).
     */
    public List<String> termValues(String field) {
        IndexState s = state;
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Integer> e : dict.termsOf(field).entrySet()) {
            if (!s.posting(e.getValue()).isEmpty()) {
                out.add(e.getKey());
            }
        }
        out.sort(null);
        return out;
    }

    /** Whether a field has an inverted index (so a filter may match it by term). */
    public boolean isIndexedField(String field) {
        return field.equals(ItemFields.CATEGORY) || field.equals(ItemFields.AUTHOR) || field.equals(ItemFields.TAGS)
                || field.equals(ItemFields.STATUS) || config.indexedFields().contains(field);
    }

    /**
     * Checks that every term condition of a filter names an indexed field, for operators to call
     * when they are created (configuration errors fail at load, not per request).
     *
     * @throws IllegalArgumentException naming the field
     */
    public void checkFilter(Filter f, String where) {
        for (String field : f.terms().keySet()) {
            if (!isIndexedField(field)) {
                throw new IllegalArgumentException(where + ": field '" + field + "' has no inverted index (indexed: category, author, tags, status"
                        + (config.indexedFields().isEmpty() ? "" : ", " + String.join(", ", config.indexedFields())) + ")");
            }
        }
    }

    /** Inverted lists {@link #nearestPartitioned} probes; 0 while the catalog is too small to have them. */
    public int partitionCount() {
        return graph.partitionCount();
    }

    /** Approximate heap bytes of the vector graph (not counting the vectors). */
    public long graphBytes() {
        return graph.ramBytesUsed();
    }

    @Override
    public String toString() {
        IndexState s = state;
        return "ItemIndex{live=" + s.live.getCardinality() + ", rows=" + s.rows + ", version=" + s.version + ", " + config + '}';
    }
}
