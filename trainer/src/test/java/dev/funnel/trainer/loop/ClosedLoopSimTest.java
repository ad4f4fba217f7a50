package dev.funnel.trainer.loop;

import dev.funnel.features.FeatureBatch;
import dev.funnel.features.FeatureExtractor;
import dev.funnel.features.FeatureSchema;
import dev.funnel.features.ItemAttributes;
import dev.funnel.features.profile.InProcessProfileStore;
import dev.funnel.features.profile.ProfileConfig;
import dev.funnel.features.profile.UserProfile;
import dev.funnel.model.ctr.CtrInputs;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.model.serving.CtrBootstrap;
import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimItem;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.trainer.DenseRows;
import dev.funnel.trainer.Trainer;
import dev.funnel.trainer.TrainerConfig;
import dev.funnel.trainer.apply.DeltaApplier;
import dev.funnel.trainer.apply.DeltaConsumer;
import dev.funnel.trainer.join.JoinConfig;
import dev.funnel.trainer.learn.CtrLearner;
import dev.funnel.trainer.learn.CtrMath;
import dev.funnel.trainer.learn.CtrShape;
import dev.funnel.trainer.learn.LearnerConfig;
import dev.funnel.trainer.optim.AdaGrad;
import dev.funnel.trainer.optim.Adam;
import dev.funnel.trainer.optim.Ftrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The closed loop in the sim world: sim users request, are served by the ctr model (features through
 * the shared extractor, inputs through {@link CtrInputs}, scores by model-runtime's reference forward,
 * which the ONNX graph is tested against), click by their hidden tastes; impressions and feedback go
 * through a Chronicle transport to the trainer, whose deltas come back through the transport into the
 * serving tables and weights. Compared on the same users with a frozen copy of the starting model, a
 * popularity ranker, random slates and the oracle (each user's truly best items).
 */
class ClosedLoopSimTest {

    static final int ROUNDS = Integer.getInteger("loop.rounds", 12);
    static final int SLATE = 10;
    /** The sim world's seed; the assertions hold for the default, other seeds are for exploring. */
    static final long SEED = Long.getLong("loop.seed", 11);
    static final long ROUND_MILLIS = 60_000;
    /** {@code -Dloop.noApply=true}: the replica never applies a delta (learning broken); the test must then fail. */
    static final boolean NO_APPLY = Boolean.getBoolean("loop.noApply");
    /** Requests between two trainer turns (6 s of event time). */
    static final int CHUNK = 50;
    static final int INTEREST_CANDIDATES = Integer.getInteger("loop.interest", 0);
    /**
     * Nearest items recalled per request. With the exploration below, the ranker scores about 240
     * candidates per request; the shipped home feed ranks up to 300 (prerank keep 300, ann k 500).
     */
    static final int ANN_K = Integer.getInteger("loop.ann", 200);
    /** Rounds of the drift test before and after the users' tastes move ({@code -Dloop.driftAfter}: more after). */
    static final int DRIFT_BEFORE = 4;
    static final int DRIFT_AFTER = Integer.getInteger("loop.driftAfter", 8);
    static final double DRIFT_AMOUNT = Double.parseDouble(System.getProperty("loop.drift", "0.5"));
    /**
     * Slate slot (0-based) reserved for an exploration item ({@code recall.explore} into {@code mix.insert});
     * -1, the default, explores nothing. Measured on seed 11 (2026-11-25): slot 9 on every request costs
     * the main test 5 points of the gap (80.7% -> 75.6%) and does not speed the drift recovery: +6.0% in
     * the 40 rounds after the drift against +5.8% without (0.1286 -> 0.1363 vs 0.1344 -> 0.1422); the
     * ranker's best of 50 explored items (slot 9), slot 2, or a profile decay of 0.8 do not either. Each
     * user drifts toward its own random category (1 of 20), so an explored item is in it on 5% of
     * requests, and at slot 9 roughly a third of those are clicked (an estimate, not counted): a click
     * there on about one request in 60, too few to move a profile made of the last 50 clicks or to
     * train the user x category cross.
     */
    static final int EXPLORE_SLOT = Integer.getInteger("loop.exploreSlot", -1);
    /** Share of requests that get the exploration slot. */
    static final double EXPLORE_RATE = Double.parseDouble(System.getProperty("loop.exploreRate", "1"));
    /** Exploration items drawn per request; the ranker's best of them takes the slot (1: uniform random). */
    static final int EXPLORE_POOL = Integer.getInteger("loop.explorePool", 1);
    /** The profile store's embedding decay per click (its default unless {@code -Dloop.profileDecay}). */
    static final double PROFILE_DECAY = Double.parseDouble(System.getProperty("loop.profileDecay",
            String.valueOf(ProfileConfig.DEFAULT_EMBEDDING_DECAY)));

    @TempDir
    Path dir;

    /** Expected CTR of the baselines that need no model, over every user of a world. */
    record Baselines(double random, double popularity, double oracle) {

        static Baselines of(SimWorld world) {
            double random = 0;
            double popularity = 0;
            double oracle = 0;
            long[] popular = world.items().stream().filter(SimItem::online)
                    .sorted(Comparator.comparingDouble(SimItem::popularity).reversed()).limit(SLATE).mapToLong(SimItem::id).toArray();
            long[] onlineIds = world.items().stream().filter(SimItem::online).mapToLong(SimItem::id).toArray();
            SplittableRandom rr = new SplittableRandom(5);
            for (SimUser u : world.users()) {
                long[] slate = new long[SLATE];
                for (int i = 0; i < SLATE; i++) {
                    slate[i] = onlineIds[rr.nextInt(onlineIds.length)];
                }
                random += world.expectedCtr(u, slate);
                popularity += world.expectedCtr(u, popular);
                oracle += world.expectedCtr(u, world.oracleTopK(u, SLATE));
            }
            int n = world.users().size();
            return new Baselines(random / n, popularity / n, oracle / n);
        }

        /** Share of the random→oracle gap a CTR closes. */
        double gapClosed(double ctr) {
            return (ctr - random) / (oracle - random);
        }
    }

    @Test
    void onlineCtrRisesAndClosesMostOfTheGapToTheOracle() {
        SimWorld world = SimWorld.generate(SimConfig.small(SEED));
        FeatureSchema schema = FeatureSchema.defaultSchema(world.config().dim());
        CtrModelSpec spec = CtrModelSpec.forSchema(schema, 8, new int[]{32}, List.of("click"));
        // Both start from the model serving starts with (model-runtime's bootstrap: hand-set weights on the dense features).
        CtrWeights init = CtrBootstrap.weights(schema, spec, 42);
        Baselines base = Baselines.of(world);
        int n = world.users().size();

        double[] online;
        double frozenEnd;
        double ideal;
        double candidateIdeal;
        Loop onlineLoop;
        try (Loop l = new Loop(world, schema, spec, init, dir.resolve("online"), true)) {
            online = l.run(ROUNDS);
            onlineLoop = l;
            ideal = l.profileIdealCtr();
            candidateIdeal = l.profileIdealFromCandidatesCtr();
            frozenEnd = l.evaluateFrozen(init);
        }
        double onlineEnd = tailMean(online);
        double closed = base.gapClosed(onlineEnd);
        System.out.printf("closed loop (SimConfig.small(%d), %d users, %d rounds, slate %d, ann k %d)%n", SEED, n, ROUNDS, SLATE, ANN_K);
        System.out.printf("  online CTR per round: %s%n", rounded(online));
        System.out.printf("  random %.4f | popularity %.4f | frozen %.4f | online %.4f | oracle %.4f | gap closed %.1f%%%n",
                base.random(), base.popularity(), frozenEnd, onlineEnd, base.oracle(), 100 * closed);
        System.out.printf("  best possible from the profile embedding (sim's click model on it): %.4f (%.1f%% of the gap); "
                + "from the same candidates: %.4f (%.1f%%)%n", ideal, 100 * base.gapClosed(ideal), candidateIdeal,
                100 * base.gapClosed(candidateIdeal));
        System.out.printf("  trainer: %s, deltas applied %d, rejected %d%n", onlineLoop.joinSummary, onlineLoop.applied, onlineLoop.rejected);

        assertEquals(0, onlineLoop.rejected);
        assertTrue(onlineEnd > online[0] * 1.25, "online CTR rises: " + online[0] + " -> " + onlineEnd);
        assertTrue(onlineEnd > frozenEnd * 1.25, "well above the frozen model: " + onlineEnd + " vs " + frozenEnd);
        assertTrue(onlineEnd > base.popularity() * 2, "well above popularity: " + onlineEnd + " vs " + base.popularity());
        // Stable: once learning has started, no round falls well below the best before it (the old
        // 3e-3 dense learning rate dropped rounds to 0.10).
        for (int r = 2; r < online.length; r++) {
            double best = Arrays.stream(online, 0, r).max().orElseThrow();
            assertTrue(online[r] >= 0.95 * best, "round " + r + " dips: " + online[r] + " after " + best);
        }
        assertTrue(closed >= 0.80, "closes >= 80% of the random→oracle gap: " + closed);
    }

    /**
     * Deliver 5, "tastes can drift": after {@link #DRIFT_BEFORE} rounds every user's hidden taste moves
     * halfway toward a random category (profiles and the model keep what they knew, as in
     * production). CTR must dip, then climb (clicks move the profiles, the trainer goes on learning)
     * and stay well above the frozen model serving the drifted users with the same profiles.
     */
    @Test
    void onlineModelRecoversWhenTastesDrift() {
        SimWorld world = SimWorld.generate(SimConfig.small(SEED));
        SimWorld drifted = world.withDriftedTastes(DRIFT_AMOUNT, 99);
        FeatureSchema schema = FeatureSchema.defaultSchema(world.config().dim());
        CtrModelSpec spec = CtrModelSpec.forSchema(schema, 8, new int[]{32}, List.of("click"));
        CtrWeights init = CtrBootstrap.weights(schema, spec, 42);
        Baselines before = Baselines.of(world);
        Baselines after = Baselines.of(drifted);

        double[] online = new double[DRIFT_BEFORE + DRIFT_AFTER];
        double frozenEnd;
        long rejected;
        try (Loop l = new Loop(world, schema, spec, init, dir.resolve("drift"), true)) {
            System.arraycopy(l.run(DRIFT_BEFORE), 0, online, 0, DRIFT_BEFORE);
            l.driftTo(drifted);
            System.arraycopy(l.run(DRIFT_AFTER), 0, online, DRIFT_BEFORE, DRIFT_AFTER);
            frozenEnd = l.evaluateFrozen(init);
            rejected = l.rejected;
        }
        double lastBefore = online[DRIFT_BEFORE - 1];
        double firstAfter = online[DRIFT_BEFORE];
        double end = tailMean(online);
        System.out.printf("drift (SimConfig.small(%d), tastes move %.0f%% toward a random category after round %d of %d,"
                + " explore slot %d on %.0f%% of requests)%n", SEED, 100 * DRIFT_AMOUNT, DRIFT_BEFORE, online.length, EXPLORE_SLOT,
                EXPLORE_SLOT < 0 ? 0 : 100 * EXPLORE_RATE);
        System.out.printf("  online CTR per round: %s%n", rounded(online));
        System.out.printf("  before: random %.4f | popularity %.4f | oracle %.4f%n", before.random(), before.popularity(), before.oracle());
        System.out.printf("  after:  random %.4f | popularity %.4f | frozen %.4f | online (last 3) %.4f | oracle %.4f | gap closed %.1f%%%n",
                after.random(), after.popularity(), frozenEnd, end, after.oracle(), 100 * after.gapClosed(end));

        assertEquals(0, rejected);
        assertTrue(firstAfter < 0.9 * lastBefore, "CTR dips when tastes drift: " + lastBefore + " -> " + firstAfter);
        // The climb is slow (measured +3% in 8 rounds, +5.8% in 40): the ranker sees the users' new
        // categories only where recall happens to bring them, and exploring one slot does not change
        // that (see EXPLORE_SLOT).
        assertTrue(end > 1.01 * firstAfter, "the loop climbs back after the drift: " + firstAfter + " -> " + end);
        assertTrue(end > 1.25 * frozenEnd, "well above the frozen model on the drifted users: " + end + " vs " + frozenEnd);
        assertTrue(end > 2 * after.popularity(), "well above popularity on the drifted users: " + end + " vs " + after.popularity());
    }

    private static String rounded(double[] ctr) {
        return Arrays.toString(Arrays.stream(ctr).map(v -> Math.round(v * 10_000) / 10_000.0).toArray());
    }

    private static double tailMean(double[] perRound) {
        double s = 0;
        for (int i = perRound.length - 3; i < perRound.length; i++) {
            s += perRound[i];
        }
        return s / 3;
    }

    /** One serving replica (optionally with its trainer) over its own transport. */
    static final class Loop implements AutoCloseable {
        /** The users' click model; the catalog never changes, tastes may ({@link #driftTo}). */
        SimWorld world;
        final FeatureExtractor extractor;
        final CtrModelSpec spec;
        final ItemAttributes items;
        final InProcessProfileStore profiles;
        final EmbeddingTable field;
        final EmbeddingTable wide;
        volatile CtrWeights weights;
        final Transport transport;
        final StreamAppender impressions;
        final StreamAppender feedback;
        final Trainer trainer;
        final DeltaConsumer consumer;
        final AtomicLong clock = new AtomicLong(0);
        final SplittableRandom rnd = new SplittableRandom(77);
        final long[] onlineIds;
        final float[][] embeddings;
        final float[][] acts;
        final Map<String, long[]> byTag = new java.util.HashMap<>();
        String joinSummary = "";
        int roundsRun;
        long applied;
        long rejected;

        Loop(SimWorld world, FeatureSchema schema, CtrModelSpec spec, CtrWeights init, Path dir, boolean learn) {
            this.world = world;
            this.spec = spec;
            this.extractor = new FeatureExtractor(schema);
            this.items = new SimItems(world);
            this.profiles = new InProcessProfileStore(id -> id >= 1 && id <= world.items().size() ? world.item(id).embedding() : null,
                    new ProfileConfig(ProfileConfig.DEFAULT_MAX_RECENT_CLICKS, PROFILE_DECAY));
            for (SimUser u : world.users()) {
                profiles.put(new UserProfile(u.id(), Map.of("age_bucket", u.ageBucket(), "gender", u.gender(), "country", u.country()),
                        u.interestTags(), u.recentClicks(), null, 0));
            }
            this.field = EmbeddingTable.builder(CtrShape.FIELD_TABLE, spec.fieldDim()).build();
            this.wide = EmbeddingTable.builder(CtrShape.WIDE_TABLE, spec.headCount()).build();
            this.weights = init.copy();
            this.acts = CtrMath.scratch(CtrShape.of(spec, schema));
            this.onlineIds = world.items().stream().filter(SimItem::online).mapToLong(SimItem::id).toArray();
            this.embeddings = new float[onlineIds.length][];
            for (int i = 0; i < onlineIds.length; i++) {
                embeddings[i] = world.item(onlineIds[i]).embedding();
            }
            Map<String, List<Long>> postings = new java.util.HashMap<>();
            for (SimItem it : world.items()) {
                if (it.online()) {
                    for (String t : it.tags()) {
                        postings.computeIfAbsent(t, k -> new ArrayList<>()).add(it.id());
                    }
                }
            }
            postings.forEach((t, ids) -> byTag.put(t, ids.stream().mapToLong(Long::longValue).toArray()));
            this.transport = new ChronicleTransport(dir.resolve("topics"));
            this.impressions = transport.appender(Topics.IMPRESSIONS);
            this.feedback = transport.appender(Topics.FEEDBACK);
            if (learn) {
                float[][] w = new float[init.layers()][];
                float[][] b = new float[init.layers()][];
                for (int l = 0; l < init.layers(); l++) {
                    w[l] = init.weights(l);
                    b[l] = init.bias(l);
                }
                LearnerConfig lc = new LearnerConfig(new Ftrl(Double.parseDouble(System.getProperty("loop.alpha", "0.1")), 1,
                        Double.parseDouble(System.getProperty("loop.l1", "0.1")), 1), AdaGrad.DEFAULT,
                        new Adam(Double.parseDouble(System.getProperty("loop.lr", String.valueOf(Adam.DEFAULT_LEARNING_RATE))), 0.9, 0.999, 1e-8),
                        LearnerConfig.DEFAULT_BATCH_SIZE, LearnerConfig.DEFAULT_ADMIT_AFTER, LearnerConfig.DEFAULT_MAX_ROWS,
                        LearnerConfig.DEFAULT_ROW_TTL_MILLIS, LearnerConfig.DEFAULT_INIT_SCALE);
                CtrLearner learner = new CtrLearner(CtrShape.of(spec, schema), lc, w, b);
                TrainerConfig tc = TrainerConfig.defaults("ctr", null).withIntervals(1_000, 5_000)
                        .withJoin(new JoinConfig(30_000, 300_000)).withIdleAfter(2_000).withPollBatch(4_096);
                this.trainer = new Trainer(tc, transport, learner, (ww, bb) -> CtrModel.toOnnx(CtrWeights.of(spec, ww, bb)), clock::get);
                DeltaApplier applier = new DeltaApplier("ctr", Map.of(CtrShape.FIELD_TABLE, field, CtrShape.WIDE_TABLE, wide),
                        this::swapDense, clock::get);
                this.consumer = new DeltaConsumer(transport, "replica", applier, 100_000);
            } else {
                this.trainer = null;
                this.consumer = null;
            }
        }

        private void swapDense(ModelDelta d) {
            if (d.onnx().length == 0) {
                throw new IllegalArgumentException("dense delta without ONNX");
            }
            float[][] w = new float[spec.layerWidths().length - 1][];
            float[][] b = new float[w.length][];
            for (ModelDelta.Rows rows : d.tables()) {
                if (rows.table().startsWith(DenseRows.WEIGHT_PREFIX)) {
                    w[Integer.parseInt(rows.table().substring(DenseRows.WEIGHT_PREFIX.length()))] = rows.values();
                } else if (rows.table().startsWith(DenseRows.BIAS_PREFIX)) {
                    b[Integer.parseInt(rows.table().substring(DenseRows.BIAS_PREFIX.length()))] = rows.values();
                }
            }
            weights = CtrWeights.of(spec, w, b);
        }

        /** Users click by the tastes of this world from the next request on; profiles and model keep what they knew. */
        void driftTo(SimWorld drifted) {
            if (!drifted.config().equals(world.config())) {
                throw new IllegalArgumentException("drift keeps the catalog: " + drifted.config() + " vs " + world.config());
            }
            world = drifted;
        }

        /** Runs the next {@code rounds} rounds (event time goes on from the last one); CTR per round. */
        double[] run(int rounds) {
            double[] ctr = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ctr[r] = round(roundsRun++);
            }
            if (trainer != null) {
                joinSummary = trainer.joinStats().toString();
                applied = consumer.applier().appliedVersion();
                rejected = consumer.applier().rejected();
            }
            return ctr;
        }

        /**
         * One round: every user is served once, spread evenly over {@link #ROUND_MILLIS} of event time, so
         * traffic is continuous as in production. After every {@link #CHUNK} requests the trainer takes
         * one turn (its clock is event time) and the replica applies every delta published so far
         * before the next request is served; single-threaded, so the outcome does not depend on timing.
         */
        private double round(int r) {
            double sum = 0;
            List<SimUser> users = world.users();
            long gapMillis = ROUND_MILLIS / users.size();
            for (int u = 0; u < users.size(); u++) {
                long ts = r * ROUND_MILLIS + u * gapMillis;
                SimUser user = users.get(u);
                sum += serve(user, ts, "r" + r + "-" + user.id());
                if (trainer != null && (u + 1) % CHUNK == 0) {
                    clock.set(ts + 1_000);
                    trainer.runOnce();
                    long published = trainer.version();
                    while (!NO_APPLY && consumer.pollOnce() > 0) {
                        // apply everything published
                    }
                    if (!NO_APPLY && consumer.applier().appliedVersion() != published) {
                        throw new AssertionError("replica at v" + consumer.applier().appliedVersion() + ", trainer published v" + published);
                    }
                }
            }
            return sum / users.size();
        }

        private double serve(SimUser user, long ts, String requestId) {
            UserProfile p = profiles.get(user.id());
            long[] explore = explore(user.id(), requestId);
            long[] cands = withExplore(candidates(p), explore);
            FeatureBatch batch = extractor.extract(p, Map.of("device", "ios"), world.config().nowMillis(), items, cands, cands.length);
            CtrInputs in = new CtrInputs(spec, cands.length).fill(batch, items, field, wide);
            float[] probs = score(in, cands.length, weights);
            Integer[] order = new Integer[cands.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
            if (explore.length > 0) {
                order = insertExplore(order, cands, probs, explore);
            }
            long[] slate = new long[SLATE];
            List<ImpressionLog.Served> served = new ArrayList<>(SLATE);
            int fc = batch.fieldCount();
            int wc = batch.wideCount();
            int dc = batch.denseCount();
            for (int pos = 0; pos < SLATE; pos++) {
                int row = order[pos];
                slate[pos] = cands[row];
                served.add(new ImpressionLog.Served(cands[row], pos, probs[row],
                        Arrays.copyOfRange(batch.fieldIdArray(), row * fc, row * fc + fc),
                        Arrays.copyOfRange(batch.wideIdArray(), row * wc, row * wc + wc),
                        Arrays.copyOfRange(batch.denseArray(), row * dc, row * dc + dc),
                        items.embedding(cands[row])));
            }
            if (trainer != null) {
                impressions.append(new ImpressionLog(requestId, user.id(), "home", "ctr", 0, extractor.schema().version(), ts,
                        batch.userEmbedding(), served).encode());
            }
            for (int pos = 0; pos < SLATE; pos++) {
                if (world.click(user, slate[pos], pos, rnd)) {
                    profiles.onClick(user.id(), slate[pos], ts + 1_000);
                    if (trainer != null) {
                        feedback.append(new Feedback(requestId, user.id(), slate[pos], Feedback.Event.CLICK, ts + 1_000).encode());
                    }
                }
            }
            return world.expectedCtr(user, slate);
        }

        /**
         * Exploration as the shipped operators do it: {@code recall.explore} (a uniform random slice of the
         * online catalog, seeded by request and user id) feeding {@code mix.insert} (one item at slot
         * {@link #EXPLORE_SLOT}, taken out of the ranked list if it is there too), on
         * {@link #EXPLORE_RATE} of requests. Empty when this request does not explore.
         */
        private long[] explore(String userId, String requestId) {
            if (EXPLORE_SLOT < 0) {
                return new long[0];
            }
            SplittableRandom r = new SplittableRandom(requestId.hashCode() * 0x9E3779B97F4A7C15L ^ userId.hashCode());
            if (r.nextDouble() >= EXPLORE_RATE) {
                return new long[0];
            }
            long[] out = new long[EXPLORE_POOL];
            for (int i = 0; i < out.length; i++) {
                out[i] = onlineIds[r.nextInt(onlineIds.length)];
            }
            return out;
        }

        /** The candidates plus exploration items not among them (so they get features and a score to log). */
        private static long[] withExplore(long[] cands, long[] explore) {
            java.util.LinkedHashSet<Long> all = new java.util.LinkedHashSet<>();
            for (long c : cands) {
                all.add(c);
            }
            for (long e : explore) {
                all.add(e);
            }
            return all.stream().mapToLong(Long::longValue).toArray();
        }

        /** The ranked order with the best-scored exploration item moved to {@link #EXPLORE_SLOT}. */
        private static Integer[] insertExplore(Integer[] order, long[] cands, float[] probs, long[] explore) {
            int pick = -1;
            for (int row = 0; row < cands.length; row++) {
                for (long e : explore) {
                    if (cands[row] == e && (pick < 0 || probs[row] > probs[pick])) {
                        pick = row;
                    }
                }
            }
            List<Integer> out = new ArrayList<>(Arrays.asList(order));
            out.remove(Integer.valueOf(pick));
            out.add(Math.min(EXPLORE_SLOT, out.size()), pick);
            return out.toArray(new Integer[0]);
        }

        /**
         * The ctr model's function over the assembled inputs: {@link CtrMath} computes what
         * {@code CtrModel.forward} (and the ONNX graph) computes, in float; CtrLearnerTest checks they agree.
         * Inputs equal in every row (the user's side) enter the first layer once per request rather than
         * once per candidate, which changes only the float summation order.
         */
        private float[] score(CtrInputs in, int n, CtrWeights cw) {
            int layers = cw.layers();
            float[][] w = new float[layers - 1][];
            float[][] b = new float[layers - 1][];
            for (int l = 1; l < layers; l++) {
                w[l - 1] = cw.weights(l);
                b[l - 1] = cw.bias(l);
            }
            float[] w0 = cw.weights(0);
            float[] b0 = cw.bias(0);
            int cd = spec.contentDim();
            int fw = spec.fieldCount() * spec.fieldDim();
            int dc = spec.denseCount();
            int h = spec.headCount();
            int width = 2 * cd + fw + dc;
            float[] x = new float[n * width];
            for (int r = 0; r < n; r++) {
                int o = r * width;
                System.arraycopy(in.userEmb(), r * cd, x, o, cd);
                System.arraycopy(in.itemEmb(), r * cd, x, o + cd, cd);
                System.arraycopy(in.fieldEmb(), r * fw, x, o + 2 * cd, fw);
                System.arraycopy(in.dense(), r * dc, x, o + 2 * cd + fw, dc);
            }
            int hidden = b0.length;
            float[] base = b0.clone();
            int[] varying = new int[width];
            int nv = 0;
            for (int c = 0; c < width; c++) {
                float v = x[c];
                boolean same = true;
                for (int r = 1; r < n && same; r++) {
                    same = x[r * width + c] == v;
                }
                if (!same) {
                    varying[nv++] = c;
                } else if (v != 0f) {
                    for (int j = 0; j < hidden; j++) {
                        base[j] += v * w0[c * hidden + j];
                    }
                }
            }
            float[][] rest = Arrays.copyOfRange(acts, 1, acts.length);
            float[] h1 = rest[0];
            float[] wideIn = in.arrays()[4];
            float[] out = new float[n];
            for (int r = 0; r < n; r++) {
                System.arraycopy(base, 0, h1, 0, hidden);
                int o = r * width;
                for (int k = 0; k < nv; k++) {
                    int c = varying[k];
                    float v = x[o + c];
                    if (v != 0f) {
                        int wb = c * hidden;
                        for (int j = 0; j < hidden; j++) {
                            h1[j] += v * w0[wb + j];
                        }
                    }
                }
                if (layers > 1) {
                    for (int j = 0; j < hidden; j++) {
                        if (h1[j] < 0f) {
                            h1[j] = 0f;
                        }
                    }
                    CtrMath.mlp(w, b, rest);
                }
                out[r] = (float) CtrMath.sigmoid(rest[rest.length - 1][0] + wideIn[r * h]);
            }
            return out;
        }

        /** The frozen model (starting weights, empty tables) serving the same users with the same profiles now. */
        double evaluateFrozen(CtrWeights init) {
            return evaluate(init, EmbeddingTable.builder(CtrShape.FIELD_TABLE, spec.fieldDim()).build(),
                    EmbeddingTable.builder(CtrShape.WIDE_TABLE, spec.headCount()).build());
        }

        /** Mean expected CTR of the slates a model with these weights and tables serves now; no clicks, no logging. */
        double evaluate(CtrWeights w, EmbeddingTable f, EmbeddingTable wd) {
            double sum = 0;
            for (SimUser user : world.users()) {
                UserProfile p = profiles.get(user.id());
                long[] cands = candidates(p);
                FeatureBatch batch = extractor.extract(p, Map.of("device", "ios"), world.config().nowMillis(), items, cands, cands.length);
                float[] probs = score(new CtrInputs(spec, cands.length).fill(batch, items, f, wd), cands.length, w);
                sum += world.expectedCtr(user, top(cands, probs));
            }
            return sum / world.users().size();
        }

        private static long[] top(long[] cands, float[] probs) {
            Integer[] order = new Integer[cands.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
            long[] slate = new long[SLATE];
            for (int i = 0; i < SLATE; i++) {
                slate[i] = cands[order[i]];
            }
            return slate;
        }

        /** The best any ranker on this profile could do: sim's click model with the profile embedding for the taste. */
        double profileIdealCtr() {
            double sum = 0;
            for (SimUser user : world.users()) {
                float[] ue = profiles.get(user.id()).embedding();
                if (ue == null) {
                    continue;
                }
                long[] slate = new long[SLATE];
                double[] best = new double[SLATE];
                Arrays.fill(best, Double.NEGATIVE_INFINITY);
                for (int i = 0; i < onlineIds.length; i++) {
                    double dot = 0;
                    for (int d = 0; d < ue.length; d++) {
                        dot += ue[d] * embeddings[i][d];
                    }
                    double z = SimWorld.AFFINITY_WEIGHT * dot + SimWorld.POPULARITY_WEIGHT * Math.log(world.item(onlineIds[i]).popularity());
                    if (z > best[SLATE - 1]) {
                        int j = SLATE - 1;
                        while (j > 0 && best[j - 1] < z) {
                            best[j] = best[j - 1];
                            slate[j] = slate[j - 1];
                            j--;
                        }
                        best[j] = z;
                        slate[j] = onlineIds[i];
                    }
                }
                sum += world.expectedCtr(user, slate);
            }
            return sum / world.users().size();
        }

        /** As {@link #profileIdealCtr}, choosing only among the candidates the ranker is given. */
        double profileIdealFromCandidatesCtr() {
            double sum = 0;
            for (SimUser user : world.users()) {
                UserProfile p = profiles.get(user.id());
                float[] ue = p.embedding();
                if (ue == null) {
                    continue;
                }
                long[] cands = candidates(p);
                float[] z = new float[cands.length];
                for (int i = 0; i < cands.length; i++) {
                    float[] e = world.item(cands[i]).embedding();
                    double dot = 0;
                    for (int d = 0; d < ue.length; d++) {
                        dot += ue[d] * e[d];
                    }
                    z[i] = (float) (SimWorld.AFFINITY_WEIGHT * dot + SimWorld.POPULARITY_WEIGHT * Math.log(world.item(cands[i]).popularity()));
                }
                sum += world.expectedCtr(user, top(cands, z));
            }
            return sum / world.users().size();
        }

        /**
         * Recall: the {@link #ANN_K} items nearest the user's embedding, then exploration: 30 draws from a
         * fixed pool of 300 items (ids 1..300, a stand-in hot list; popularity is random by id in the
         * sim) and 10 from the whole catalog.
         */
        private long[] candidates(UserProfile p) {
            java.util.LinkedHashSet<Long> out = new java.util.LinkedHashSet<>();
            float[] ue = p.embedding();
            if (ue != null) {
                int k = ANN_K;
                long[] topIds = new long[k];
                float[] topScores = new float[k];
                Arrays.fill(topScores, Float.NEGATIVE_INFINITY);
                for (int i = 0; i < onlineIds.length; i++) {
                    float[] e = embeddings[i];
                    float s = 0;
                    for (int d = 0; d < e.length; d++) {
                        s += ue[d] * e[d];
                    }
                    if (s > topScores[k - 1]) {
                        int j = k - 1;
                        while (j > 0 && topScores[j - 1] < s) {
                            topScores[j] = topScores[j - 1];
                            topIds[j] = topIds[j - 1];
                            j--;
                        }
                        topScores[j] = s;
                        topIds[j] = onlineIds[i];
                    }
                }
                for (long id : topIds) {
                    if (id != 0) {
                        out.add(id);
                    }
                }
            }
            // Interest recall (the DAG's recall.inverted on the profile's interest tags).
            List<String> tags = new ArrayList<>(p.interestTags().keySet());
            for (int i = 0; i < INTEREST_CANDIDATES && !tags.isEmpty(); i++) {
                long[] posting = byTag.getOrDefault(tags.get(i % tags.size()), new long[0]);
                if (posting.length > 0) {
                    out.add(posting[rnd.nextInt(posting.length)]);
                }
            }
            for (int i = 0; i < 30; i++) {
                out.add(onlineIds[rnd.nextInt(Math.min(300, onlineIds.length))]);
            }
            int target = out.size() + 10;
            while (out.size() < target) {
                out.add(onlineIds[rnd.nextInt(onlineIds.length)]);
            }
            return out.stream().mapToLong(Long::longValue).toArray();
        }

        @Override
        public void close() {
            if (consumer != null) {
                consumer.close();
            }
            if (trainer != null) {
                trainer.close();
            }
            transport.close();
        }
    }

    /** Item attributes straight from the sim catalog. */
    static final class SimItems implements ItemAttributes {
        private final SimWorld world;

        SimItems(SimWorld world) {
            this.world = world;
        }

        private SimItem item(long id) {
            return id >= 1 && id <= world.items().size() ? world.item(id) : null;
        }

        @Override
        public String category(long itemId) {
            SimItem i = item(itemId);
            return i == null ? null : i.category();
        }

        @Override
        public String author(long itemId) {
            SimItem i = item(itemId);
            return i == null ? null : i.author();
        }

        @Override
        public List<String> tags(long itemId) {
            SimItem i = item(itemId);
            return i == null ? List.of() : i.tags();
        }

        @Override
        public long createdAtMillis(long itemId) {
            SimItem i = item(itemId);
            return i == null ? Long.MIN_VALUE : i.createdAtMillis();
        }

        @Override
        public double popularity(long itemId) {
            SimItem i = item(itemId);
            return i == null ? 0 : i.popularity();
        }

        @Override
        public float[] embedding(long itemId) {
            SimItem i = item(itemId);
            return i == null ? null : i.embedding();
        }
    }
}
