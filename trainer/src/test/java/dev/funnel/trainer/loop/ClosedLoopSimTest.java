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
import dev.funnel.trainer.learn.CtrShape;
import dev.funnel.trainer.learn.LearnerConfig;
import dev.funnel.trainer.optim.Adam;
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

    static final int ROUNDS = 16;
    static final int SLATE = 10;
    static final long ROUND_MILLIS = 60_000;

    @TempDir
    Path dir;

    @Test
    void onlineCtrRisesAndClosesMostOfTheGapToTheOracle() {
        SimWorld world = SimWorld.generate(SimConfig.small(11));
        FeatureSchema schema = FeatureSchema.defaultSchema(world.config().dim());
        CtrModelSpec spec = CtrModelSpec.forSchema(schema, 8, new int[]{32}, List.of("click"));
        CtrWeights init = CtrWeights.init(spec, 3, 0.05);

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
        random /= n;
        popularity /= n;
        oracle /= n;

        double[] frozen;
        double[] online;
        Loop onlineLoop;
        try (Loop frozenLoop = new Loop(world, schema, spec, init, dir.resolve("frozen"), false)) {
            frozen = frozenLoop.run(ROUNDS);
        }
        try (Loop l = new Loop(world, schema, spec, init, dir.resolve("online"), true)) {
            online = l.run(ROUNDS);
            onlineLoop = l;
        }
        double frozenEnd = tailMean(frozen);
        double onlineEnd = tailMean(online);
        double closed = (onlineEnd - random) / (oracle - random);
        System.out.printf("closed loop (SimConfig.small(11), %d users, %d rounds, slate %d)%n", n, ROUNDS, SLATE);
        System.out.printf("  online CTR per round: %s%n", Arrays.toString(Arrays.stream(online).map(v -> Math.round(v * 10_000) / 10_000.0).toArray()));
        System.out.printf("  random %.4f | popularity %.4f | frozen %.4f | online %.4f | oracle %.4f | gap closed %.1f%%%n",
                random, popularity, frozenEnd, onlineEnd, oracle, 100 * closed);
        System.out.printf("  trainer: %s, deltas applied %d, rejected %d%n", onlineLoop.joinSummary, onlineLoop.applied, onlineLoop.rejected);

        assertEquals(0, onlineLoop.rejected);
        assertTrue(onlineEnd > online[0] * 1.3, "online CTR rises: " + online[0] + " -> " + onlineEnd);
        assertTrue(onlineEnd > frozenEnd * 1.2, "beats the frozen model: " + onlineEnd + " vs " + frozenEnd);
        assertTrue(onlineEnd > popularity * 1.2, "beats popularity: " + onlineEnd + " vs " + popularity);
        assertTrue(closed >= 0.80, "closes >= 80% of the random→oracle gap: " + closed);
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
        final SimWorld world;
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
        final AtomicLong clock = new AtomicLong(1_000_000);
        final SplittableRandom rnd = new SplittableRandom(77);
        final long[] onlineIds;
        final float[][] embeddings;
        String joinSummary = "";
        long applied;
        long rejected;

        Loop(SimWorld world, FeatureSchema schema, CtrModelSpec spec, CtrWeights init, Path dir, boolean learn) {
            this.world = world;
            this.spec = spec;
            this.extractor = new FeatureExtractor(schema);
            this.items = new SimItems(world);
            this.profiles = new InProcessProfileStore(id -> id >= 1 && id <= world.items().size() ? world.item(id).embedding() : null,
                    ProfileConfig.DEFAULT);
            for (SimUser u : world.users()) {
                profiles.put(new UserProfile(u.id(), Map.of("age_bucket", u.ageBucket(), "gender", u.gender(), "country", u.country()),
                        u.interestTags(), u.recentClicks(), null, 0));
            }
            this.field = EmbeddingTable.builder(CtrShape.FIELD_TABLE, spec.fieldDim()).build();
            this.wide = EmbeddingTable.builder(CtrShape.WIDE_TABLE, spec.headCount()).build();
            this.weights = init.copy();
            this.onlineIds = world.items().stream().filter(SimItem::online).mapToLong(SimItem::id).toArray();
            this.embeddings = new float[onlineIds.length][];
            for (int i = 0; i < onlineIds.length; i++) {
                embeddings[i] = world.item(onlineIds[i]).embedding();
            }
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
                LearnerConfig lc = LearnerConfig.DEFAULT.withAdam(new Adam(3e-3, 0.9, 0.999, 1e-8));
                CtrLearner learner = new CtrLearner(CtrShape.of(spec, schema), lc, w, b);
                TrainerConfig tc = TrainerConfig.defaults("ctr", dir.resolve("ckpt")).withIntervals(1_000, 5_000)
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

        double[] run(int rounds) {
            double[] ctr = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ctr[r] = round(r);
                if (trainer != null) {
                    int idleTurns = 0;
                    while (idleTurns < 4) {
                        clock.addAndGet(1_000);
                        idleTurns = trainer.runOnce() == 0 ? idleTurns + 1 : 0;
                    }
                    clock.addAndGet(ROUND_MILLIS);
                    trainer.runOnce();
                    while (consumer.pollOnce() > 0) {
                        // apply everything published
                    }
                }
            }
            if (trainer != null) {
                joinSummary = trainer.joinStats().toString();
                applied = consumer.applier().appliedVersion();
                rejected = consumer.applier().rejected();
            }
            return ctr;
        }

        private double round(int r) {
            double sum = 0;
            long base = r * ROUND_MILLIS;
            int u = 0;
            for (SimUser user : world.users()) {
                long ts = base + (u++ * 50L) % 20_000;
                sum += serve(user, ts, "r" + r + "-" + user.id());
            }
            return sum / world.users().size();
        }

        private double serve(SimUser user, long ts, String requestId) {
            UserProfile p = profiles.get(user.id());
            long[] cands = candidates(p);
            FeatureBatch batch = extractor.extract(p, Map.of("device", "ios"), world.config().nowMillis(), items, cands, cands.length);
            CtrInputs in = new CtrInputs(spec, cands.length).fill(batch, items, field, wide);
            float[] probs = CtrModel.forward(weights, cands.length, in.userEmb(), in.itemEmb(), in.fieldEmb(), in.dense(),
                    in.arrays()[4]);
            Integer[] order = new Integer[cands.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
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

        /** Recall: nearest items to the user's embedding, popular items, and random exploration. */
        private long[] candidates(UserProfile p) {
            java.util.LinkedHashSet<Long> out = new java.util.LinkedHashSet<>();
            float[] ue = p.embedding();
            if (ue != null) {
                int k = 60;
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
            for (int i = 0; i < 30; i++) {
                out.add(onlineIds[rnd.nextInt(Math.min(300, onlineIds.length))]);
            }
            while (out.size() < 120) {
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
