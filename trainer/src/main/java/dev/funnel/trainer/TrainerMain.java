package dev.funnel.trainer;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.serving.CtrBootstrap;
import dev.funnel.streams.Retention;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.kafka.KafkaTransport;
import dev.funnel.streams.kafka.TopicConfigPolicy;
import dev.funnel.trainer.learn.CtrLearner;
import dev.funnel.trainer.learn.CtrShape;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;

/**
 * Runs the trainer standalone: {@code java $FUNNEL_JVM_FLAGS -cp … dev.funnel.trainer.TrainerMain trainer.properties}.
 * Keys (all optional): {@code streams.transport} (chronicle|kafka), {@code streams.dir},
 * {@code streams.kafka.bootstrap}, {@code streams.kafka.prefix}, {@code streams.kafka.replication} (1),
 * {@code streams.kafka.topic_configs} (reconcile|warn), {@code streams.retention_h} (24; 0 = for ever),
 * {@code streams.roll_cycle} (FAST_HOURLY), {@code model} (ctr),
 * {@code checkpoint.dir} (data/trainer), {@code sparse.interval.ms}, {@code dense.interval.ms}, {@code base.every.s} (3600; 0 = no bases),
 * {@code content.dim} (64, the server's {@code index.dim}), {@code field.dim} (8), {@code hidden} (64,32, the
 * server's {@code model.ctr.hidden}), {@code heads} (click,like), {@code init.seed} (42).
 *
 * <p>The model must be the one serving started from: the defaults are the server's (its
 * {@link CtrModelSpec} defaults), and the trainer starts from {@link CtrBootstrap}'s weights for that spec
 * and seed, the model the server serves as version {@value CtrBootstrap#VERSION} and the embedded trainer
 * starts from. Set {@code content.dim} and {@code hidden} to what the server runs with.
 */
public final class TrainerMain {

    private TrainerMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        if (args.length > 0) {
            try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read trainer config " + args[0] + ": " + e.getMessage(), e);
            }
        }
        Transport transport = transport(p);
        String model = p.getProperty("model", "ctr");
        FeatureSchema schema = schema(p);
        CtrModelSpec spec = spec(p, schema);
        CtrWeights init = initialWeights(p, schema, spec);
        TrainerConfig cfg = TrainerConfig.defaults(model, Path.of(p.getProperty("checkpoint.dir", "data/trainer")))
                .withIntervals(Long.parseLong(p.getProperty("sparse.interval.ms", String.valueOf(TrainerConfig.DEFAULT_SPARSE_INTERVAL_MILLIS))),
                        Long.parseLong(p.getProperty("dense.interval.ms", String.valueOf(TrainerConfig.DEFAULT_DENSE_INTERVAL_MILLIS))))
                .withBaseInterval(1_000 * parseLong(p, "base.every.s", TrainerConfig.DEFAULT_BASE_INTERVAL_MILLIS / 1_000));
        Trainer trainer = newTrainer(cfg, transport, spec, schema, init);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            trainer.close();
            transport.close();
            stopped.countDown();
        }, "trainer-shutdown"));
        trainer.start();
        System.out.println("trainer " + model + " running on " + transport + " from version " + trainer.version()
                + ", hidden " + Arrays.toString(spec.hidden()) + ", content dim " + spec.contentDim());
        stopped.await();
    }

    /** The transport of {@code streams.*}: the keys and defaults of the server's. */
    static Transport transport(Properties p) {
        Retention retention = Retention.ofHours(parseLong(p, "streams.retention_h", Retention.DEFAULT_RETENTION_HOURS));
        return switch (p.getProperty("streams.transport", "chronicle")) {
            case "chronicle" -> new ChronicleTransport(Path.of(p.getProperty("streams.dir", "data/streams")),
                    p.getProperty("streams.roll_cycle", ChronicleTransport.DEFAULT_ROLL_CYCLE), retention);
            case "kafka" -> new KafkaTransport(p.getProperty("streams.kafka.bootstrap"), p.getProperty("streams.kafka.prefix", "funnel."),
                    (int) Math.max(0, Math.min(Short.MAX_VALUE + 1L, parseLong(p, "streams.kafka.replication", 1))), // out of range: refused, not wrapped
                    KafkaTransport.DEFAULT_CONNECT_TIMEOUT_MILLIS, retention,
                    TopicConfigPolicy.parse(p.getProperty(TopicConfigPolicy.KEY, "reconcile")));
            default -> throw new IllegalArgumentException("streams.transport must be chronicle or kafka, got '"
                    + p.getProperty("streams.transport") + "'");
        };
    }

    private static long parseLong(Properties p, String key, long dflt) {
        String v = p.getProperty(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("trainer config: " + key + " must be an integer, got '" + v + "'");
        }
    }

    /** The feature schema of {@code content.dim} (default 64, as the server's {@code index.dim}). */
    static FeatureSchema schema(Properties p) {
        return FeatureSchema.defaultSchema(Integer.parseInt(p.getProperty("content.dim", "64").trim()));
    }

    /** The model spec of {@code field.dim}, {@code hidden}, {@code heads}; each defaults to the server's. */
    static CtrModelSpec spec(Properties p, FeatureSchema schema) {
        int[] hidden = CtrModelSpec.parseHidden("hidden", p.getProperty("hidden", ""));
        return CtrModelSpec.forSchema(schema, Integer.parseInt(p.getProperty("field.dim", String.valueOf(CtrModelSpec.DEFAULT_FIELD_DIM)).trim()),
                hidden, Arrays.stream(p.getProperty("heads", String.join(",", CtrModelSpec.DEFAULT_HEADS)).split(",")).map(String::trim).toList());
    }

    /** The serving bootstrap's weights for this spec and {@code init.seed} (default {@link CtrBootstrap#DEFAULT_SEED}). */
    static CtrWeights initialWeights(Properties p, FeatureSchema schema, CtrModelSpec spec) {
        return CtrBootstrap.weights(schema, spec, Long.parseLong(p.getProperty("init.seed", String.valueOf(CtrBootstrap.DEFAULT_SEED)).trim()));
    }

    /** A trainer for the ctr model of this spec, starting from these weights, exporting ONNX with model-runtime's writer. */
    public static Trainer newTrainer(TrainerConfig cfg, Transport transport, CtrModelSpec spec, FeatureSchema schema, CtrWeights init) {
        return newTrainer(cfg, transport, spec, schema, init, System::currentTimeMillis);
    }

    /** As {@link #newTrainer(TrainerConfig, Transport, CtrModelSpec, FeatureSchema, CtrWeights)} on this clock. */
    public static Trainer newTrainer(TrainerConfig cfg, Transport transport, CtrModelSpec spec, FeatureSchema schema, CtrWeights init,
                                     LongSupplier clockMillis) {
        float[][] w = new float[init.layers()][];
        float[][] b = new float[init.layers()][];
        for (int l = 0; l < init.layers(); l++) {
            w[l] = init.weights(l);
            b[l] = init.bias(l);
        }
        CtrLearner learner = new CtrLearner(CtrShape.of(spec, schema), cfg.learner(), w, b);
        return new Trainer(cfg, transport, learner, (ww, bb) -> CtrModel.toOnnx(CtrWeights.of(spec, ww, bb)), clockMillis);
    }
}
