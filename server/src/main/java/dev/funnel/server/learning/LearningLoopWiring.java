package dev.funnel.server.learning;

import dev.funnel.features.feedback.FeedbackSink;
import dev.funnel.index.ItemIndex;
import dev.funnel.index.ItemStore;
import dev.funnel.server.serving.CatalogWriter;
import dev.funnel.server.sre.ModelStatusSource;
import dev.funnel.sim.SimWorld;
import dev.funnel.server.wiring.CatalogWiring;
import dev.funnel.server.wiring.FeatureWiring;
import dev.funnel.server.wiring.WiringContext;
import dev.funnel.streams.Retention;
import dev.funnel.streams.Transport;
import dev.funnel.streams.chronicle.ChronicleTransport;
import dev.funnel.streams.Topics;
import dev.funnel.streams.kafka.KafkaTransport;
import dev.funnel.streams.kafka.TopicConfigPolicy;
import dev.funnel.trainer.log.LoopWriter;
import dev.funnel.trainer.log.StreamFeedbackSink;
import dev.funnel.features.FeatureSchema;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.serving.CtrBootstrap;
import dev.funnel.model.ctr.CtrWeights;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.PinControl;
import dev.funnel.model.serving.RankModel;
import dev.funnel.trainer.learn.CtrShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import dev.funnel.trainer.Trainer;
import dev.funnel.trainer.TrainerConfig;
import dev.funnel.trainer.TrainerMain;
import dev.funnel.trainer.apply.DeltaApplier;
import dev.funnel.trainer.apply.DeltaConsumer;
import dev.funnel.trainer.apply.DenseModelSink;
import dev.funnel.trainer.apply.ServingTables;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The learning loop's serving side (order 200: after the catalog, before {@code FeedbackWiring}, which keeps
 * the sink registered here). Config keys:
 * <ul>
 *   <li>{@code streams.transport}: {@code chronicle} (default), {@code kafka} or {@code off};</li>
 *   <li>{@code streams.dir}: Chronicle directory (default {@code data/streams}; in demo a new temp directory);</li>
 *   <li>{@code streams.kafka.bootstrap}, {@code streams.kafka.prefix} (default {@code funnel.}),
 *       {@code streams.kafka.replication} (default 1), {@code streams.kafka.topic_configs} ({@code reconcile},
 *       the default, or {@code warn}: see {@link TopicConfigPolicy});</li>
 *   <li>{@code streams.replica}: this replica's consumer name (default {@code replica-1}), also named as
 *       the issuer of its rollbacks in every replica's log;</li>
 *   <li>{@code streams.retention_h}: hours impressions and feedback are kept (default 24, 0 = for ever; see
 *       {@link Retention}), {@code streams.roll_cycle}: Chronicle roll cycle of new queues (default {@code FAST_HOURLY});</li>
 *   <li>{@code learning.model} (default {@code ctr}), {@code trainer.embedded} (default: true in demo),
 *       {@code trainer.checkpoint_dir} (default {@code data/trainer}), {@code trainer.base_every_s} (default 3600, 0 = no bases).</li>
 * </ul>
 * Registers a {@link Transport}, a {@link LoopWriter} and a {@link FeedbackSink} onto the stream in
 * the operator environment, adds the impression-log response hook, and, when an {@link ItemIndex} is
 * registered, applies item updates from the stream. With a {@link ModelRuntime}, rollbacks and unpins
 * through the admin API apply to every replica on these streams (topic {@code model-control}).
 */
public final class LearningLoopWiring implements FeatureWiring {

    private static final Logger LOG = Logger.getLogger(LearningLoopWiring.class.getName());
    private static final long DENSE_LOAD_TIMEOUT_SECONDS = 30;

    @Override
    public int order() {
        return 200;
    }

    @Override
    public void wire(WiringContext ctx) {
        String kind = ctx.config().get("streams.transport", "chronicle");
        long retentionHours = parseLong(ctx.config().get("streams.retention_h", String.valueOf(Retention.DEFAULT_RETENTION_HOURS)),
                "streams.retention_h");
        Retention retention;
        try {
            retention = Retention.ofHours(retentionHours);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("streams.retention_h: " + e.getMessage(), e);
        }
        Transport transport;
        switch (kind) {
            case "off":
                LOG.info("learning loop off (streams.transport=off)");
                return;
            case "chronicle":
                String rollCycle = ctx.config().get("streams.roll_cycle", ChronicleTransport.DEFAULT_ROLL_CYCLE);
                try {
                    ChronicleTransport.rollCycle(rollCycle);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("streams.roll_cycle: " + e.getMessage(), e);
                }
                ChronicleTransport chronicle = new ChronicleTransport(streamsDir(ctx), rollCycle, retention);
                MeterRegistry mr = ctx.meterRegistry();
                FunctionCounter.builder("funnel_streams_retention_deleted_files_total", chronicle, ChronicleTransport::retentionDeletedFiles)
                        .description("stream cycle files deleted by the retention (streams.retention_h)").register(mr);
                FunctionCounter.builder("funnel_streams_retention_deleted_bytes_total", chronicle, ChronicleTransport::retentionDeletedBytes)
                        .description("length of the stream cycle files the retention deleted").register(mr);
                FunctionCounter.builder("funnel_streams_retention_failures_total", chronicle, ChronicleTransport::retentionFailures)
                        .description("stream cycle files the retention could not delete (tried again each minute)").register(mr);
                transport = chronicle;
                break;
            case "kafka":
                KafkaTransport kafka = new KafkaTransport(ctx.config().get("streams.kafka.bootstrap", null),
                        ctx.config().get("streams.kafka.prefix", "funnel."),
                        parseInt(ctx.config().get("streams.kafka.replication", "1"), "streams.kafka.replication"),
                        KafkaTransport.DEFAULT_CONNECT_TIMEOUT_MILLIS, retention,
                        TopicConfigPolicy.parse(ctx.config().get(TopicConfigPolicy.KEY, "reconcile")));
                for (String topic : Topics.ALL) {
                    Gauge.builder("funnel_streams_topic_config_mismatches", kafka, k -> k.topicConfigMismatches(topic).size())
                            .tag("topic", topic).description("settings of the Kafka topic (its partition count included) that differ"
                                    + " from Funnel's and were left so when it was opened, and partitions added since (checked"
                                    + " each minute); the log names them").register(ctx.meterRegistry());
                }
                // Partitions added later take records no replica reads: the check at open cannot see them.
                kafka.watchPartitions(KafkaTransport.DEFAULT_PARTITION_WATCH_MILLIS);
                transport = kafka;
                break;
            default:
                throw new IllegalArgumentException("streams.transport must be chronicle, kafka or off, got '" + kind + "'");
        }
        ctx.onClose(transport);
        String replica = ctx.config().get("streams.replica", "replica-1");
        LoopWriter writer = new LoopWriter(transport, LoopWriter.DEFAULT_CAPACITY);
        ctx.onClose(writer);
        ctx.env().register(Transport.class, transport);
        ctx.env().register(LoopWriter.class, writer);
        ctx.env().register(FeedbackSink.class, new StreamFeedbackSink(writer));
        String model = ctx.config().get("learning.model", "ctr");
        ModelRuntime runtime = ctx.env().find(ModelRuntime.class).orElse(null);
        ImpressionLogHook hook = new ImpressionLogHook(writer, ctx.env().find(ItemStore.class).orElse(null), model,
                () -> runtime == null ? -1 : ImpressionLogHook.versionNumber(runtime.registry().liveVersion(model)));
        ctx.responseHooks().add(hook);

        MeterRegistry m = ctx.meterRegistry();
        FunctionCounter.builder("funnel_loop_events_written_total", writer, LoopWriter::written)
                .description("impressions, feedback and item updates appended to the stream").register(m);
        FunctionCounter.builder("funnel_loop_events_dropped_total", writer, LoopWriter::dropped)
                .description("events dropped because the loop writer's queue was full").register(m);
        FunctionCounter.builder("funnel_loop_impressions_without_features_total", hook, ImpressionLogHook::withoutFeatures)
                .description("responses not logged because no ranker features were attached").register(m);

        ctx.env().find(ItemIndex.class).ifPresent(index -> {
            // Without the sim world the catalog comes from this stream: ready once its replay has caught up.
            Runnable caughtUp = ctx.env().find(SimWorld.class).isPresent() ? null : () -> {
                LOG.info("catalog: item-updates replayed, " + index.size() + " items; gate '" + CatalogWiring.GATE + "' open");
                ctx.readiness().open(CatalogWiring.GATE);
            };
            ItemUpdateConsumer items = new ItemUpdateConsumer(transport, replica + "-items", index, caughtUp);
            ctx.onClose(items);
            // The items API writes through the stream: every replica sees the change, and a restart replays it.
            ctx.env().register(CatalogWriter.class, new CatalogStream(transport.appender(Topics.ITEM_UPDATES), items));
            // Not funnel_items_updates_total: that one counts the items API's writes on the replica that took them.
            FunctionCounter.builder("funnel_item_updates_applied_total", items, ItemUpdateConsumer::applied)
                    .description("records of the item-updates stream applied to this replica's catalog, whoever wrote them"
                            + " (any replica's items API, a catalog feed, the replay at start)").register(m);
            FunctionCounter.builder("funnel_item_updates_rejected_total", items, ItemUpdateConsumer::rejected)
                    .description("records of the item-updates stream this replica could not apply (undecodable or invalid;"
                            + " the first is logged)").register(m);
        });
        if (runtime != null) {
            wirePinControl(ctx, transport, replica, runtime, m);
        }
        wireDeltas(ctx, transport, replica, m);
        LOG.info("learning loop wired on " + transport);
    }

    /**
     * Rollbacks and unpins for the whole cluster: the admin API publishes them on {@code model-control}
     * ({@link ClusterPinControl}, replacing the runtime's local {@link PinControl}) and every replica
     * applies them ({@link ModelControlConsumer}). The topic's pins are applied now, before the delta
     * consumer picks where to start its replay from the pins.
     */
    private static void wirePinControl(WiringContext ctx, Transport transport, String replica, ModelRuntime runtime, MeterRegistry m) {
        ModelControlConsumer control = new ModelControlConsumer(transport, replica + "-control", runtime);
        ctx.onClose(control);
        control.catchUp(); // wiring runs on the starting thread, before any port opens: never an event loop
        control.start();
        ClusterPinControl pins = new ClusterPinControl(transport, control, runtime, replica);
        ctx.onClose(pins);
        ctx.env().register(PinControl.class, pins);
        FunctionCounter.builder("funnel_model_control_records_total", control, ModelControlConsumer::applied).tag("outcome", "applied")
                .description("rollbacks and unpins read from model-control, by outcome").register(m);
        FunctionCounter.builder("funnel_model_control_records_total", control, ModelControlConsumer::rejected).tag("outcome", "rejected")
                .description("rollbacks and unpins read from model-control, by outcome").register(m);
        FunctionCounter.builder("funnel_model_control_records_total", control, ModelControlConsumer::failed).tag("outcome", "failed")
                .description("rollbacks and unpins read from model-control, by outcome").register(m);
    }

    /** The delta version of a pinned registry version ({@code v12} → 12), or {@link Long#MAX_VALUE} for none or another name. */
    static long pinnedDeltaVersion(String pinnedVersion) {
        if (pinnedVersion == null || !pinnedVersion.matches("v[0-9]{1,18}")) {
            return Long.MAX_VALUE;
        }
        return Long.parseLong(pinnedVersion.substring(1));
    }

    /**
     * The delta consumer, writing into the {@link ModelRuntime}'s tables of the model and loading dense
     * snapshots into its registry (or into {@link ServingTables} / a {@link DenseModelSink} registered
     * instead), and, when {@code trainer.embedded} (default: in demo), the embedded trainer starting
     * from the serving model's bootstrap weights.
     */
    private static void wireDeltas(WiringContext ctx, Transport transport, String replica, MeterRegistry m) {
        String model = ctx.config().get("learning.model", "ctr");
        ServingTables tables = ctx.env().find(ServingTables.class).orElse(null);
        DenseModelSink sink = ctx.env().find(DenseModelSink.class).orElse(null);
        CtrModelSpec spec = ctx.env().find(CtrModelSpec.class).orElse(null);
        FeatureSchema schema = ctx.env().find(FeatureSchema.class).orElse(null);
        CtrWeights init = ctx.env().find(CtrWeights.class).orElse(null);
        ModelRuntime runtime = ctx.env().find(ModelRuntime.class).orElse(null);
        RankModel rank = runtime == null ? null : runtime.rankModel(model).orElse(null);
        if (rank != null) {
            // The model runtime's own tables and registry: what rank.onnx reads is what deltas write.
            tables = tables != null ? tables : new ServingTables(Map.of(CtrShape.FIELD_TABLE, rank.fieldTable(),
                    CtrShape.WIDE_TABLE, rank.wideTable()));
            sink = sink != null ? sink : d -> runtime.registry().load(d.modelName(), "v" + d.version(), d.onnx())
                    .get(DENSE_LOAD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            spec = spec != null ? spec : rank.spec();
            schema = rank.schema();
            init = init != null ? init : CtrBootstrap.weights(schema, spec, CtrBootstrap.DEFAULT_SEED);
        }
        if (tables == null || sink == null) {
            LOG.warning("no delta consumer: no ModelRuntime with model '" + model + "', nor ServingTables and a DenseModelSink");
            return;
        }
        boolean embedded = Boolean.parseBoolean(ctx.config().get("trainer.embedded", Boolean.toString(ctx.demo())));
        if (embedded) {
            if (spec == null || schema == null || init == null) {
                LOG.warning("trainer.embedded: no CtrModelSpec/FeatureSchema/CtrWeights for the serving model; not starting it");
            } else {
                String ckpt = ctx.config().get("trainer.checkpoint_dir", null);
                Path ckptDir = ckpt != null ? Path.of(ckpt)
                        : ctx.demo() && transport instanceof ChronicleTransport c ? c.baseDir().resolve("trainer-checkpoints")
                        : Path.of("data/trainer");
                long baseEverySeconds = parseLong(ctx.config().get("trainer.base_every_s",
                        String.valueOf(TrainerConfig.DEFAULT_BASE_INTERVAL_MILLIS / 1_000)), "trainer.base_every_s");
                if (baseEverySeconds < 0 || baseEverySeconds > 365L * 86_400) {
                    throw new IllegalArgumentException("trainer.base_every_s must be 0 (no bases) .. 31536000, got " + baseEverySeconds);
                }
                TrainerConfig tc = TrainerConfig.defaults(model, ckptDir).withBaseInterval(baseEverySeconds * 1_000);
                Trainer trainer = TrainerMain.newTrainer(tc, transport, spec, schema, init);
                trainer.start();
                ctx.onClose(trainer);
                ctx.env().register(Trainer.class, trainer);
                // A trainer that stopped (its loop failed) or drops what it reads must show, not only log once.
                Gauge.builder("funnel_trainer_running", trainer, t -> t.running() ? 1 : 0).tag("model", model)
                        .description("1 while the embedded trainer's loop runs; 0 once it stopped").register(m);
                Gauge.builder("funnel_trainer_version", trainer, Trainer::version).tag("model", model)
                        .description("newest delta version the embedded trainer published").register(m);
                FunctionCounter.builder("funnel_trainer_bases_total", trainer, Trainer::publishedBases).tag("model", model)
                        .description("bases (every row and the dense snapshot) the embedded trainer published").register(m);
                String dropped = "impression and feedback records the embedded trainer dropped unlearned, by reason:"
                        + " undecodable, future_timestamp (stamped too far ahead of the trainer's clock)";
                FunctionCounter.builder("funnel_trainer_records_dropped_total", trainer, Trainer::badRecords)
                        .tag("model", model).tag("reason", "undecodable").description(dropped).register(m);
                FunctionCounter.builder("funnel_trainer_records_dropped_total", trainer, Trainer::futureRecords)
                        .tag("model", model).tag("reason", "future_timestamp").description(dropped).register(m);
            }
        }
        DeltaApplier applier = new DeltaApplier(model, tables.byName(), sink, System::currentTimeMillis);
        // A rollback pin restored from model.pins holds only once its version is replayed: start at a base at or before it.
        long startAtMost = runtime == null ? Long.MAX_VALUE : pinnedDeltaVersion(runtime.registry().pins().get(model));
        if (startAtMost != Long.MAX_VALUE) {
            LOG.info("model " + model + " is pinned to v" + startAtMost + ": replaying deltas from the newest base at or before it");
        }
        DeltaConsumer consumer = new DeltaConsumer(transport, replica + "-deltas", applier, 200_000, 5_000_000, startAtMost);
        if (!embedded) { // an embedded trainer checks its own interval against the retention when it starts
            checkDeltaRetention(ctx, transport, replica, model, consumer, m);
        }
        consumer.start();
        ctx.onClose(consumer);
        ctx.env().register(DeltaApplier.class, applier);
        // The console and /admin show each model's version and when it last changed: include the deltas.
        ModelStatusSource base = ctx.env().find(ModelStatusSource.class).orElse(List::of);
        ctx.env().register(ModelStatusSource.class, () -> base.models().stream()
                .map(s -> !s.name().equals(model) || applier.appliedVersion() == 0 ? s
                        : new ModelStatusSource.ModelStatus(s.name(), s.version() + " (delta " + applier.appliedVersion() + ")",
                        Math.max(s.updatedAtMillis(), applier.newestAppliedCreatedMillis())))
                .toList());
        Gauge.builder("funnel_model_freshness_seconds", applier, a -> a.freshnessMillis() < 0 ? Double.NaN : a.freshnessMillis() / 1000.0)
                .tag("model", model).description("age of the newest applied model delta").register(m);
        Gauge.builder("funnel_model_delta_version", applier, DeltaApplier::appliedVersion).tag("model", model)
                .description("version of the newest model delta applied on this replica (0: none yet)").register(m);
        for (DeltaApplier.Outcome o : DeltaApplier.Outcome.values()) {
            FunctionCounter.builder("funnel_model_deltas_total", applier, a -> a.count(o)).tag("model", model)
                    .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
                    .description("model-deltas records read, by outcome: applied; ignored (a delta of another model than"
                            + " learning.model: the topic carries every model's trainer); or why it was rejected: corrupt,"
                            + " duplicate, bad_table, non_finite, sink_failed").register(m);
        }
        FunctionCounter.builder("funnel_model_delta_versions_missed_total", applier, DeltaApplier::versionsMissed)
                .tag("model", model).description("versions skipped over between applied deltas (rejected or lost)").register(m);
    }

    /**
     * Warns once when replicas starting now or later may find no base in the delta topic ({@link DeltaRetentionCheck}),
     * and says so in {@code funnel_model_delta_retention_short}. The trainer's interval counts only when
     * {@code trainer.base_every_s} is set here: the trainer's own default may not be what it runs with.
     */
    private static void checkDeltaRetention(WiringContext ctx, Transport transport, String replica, String model,
                                            DeltaConsumer consumer, MeterRegistry m) {
        String interval = ctx.config().get("trainer.base_every_s", null);
        OptionalLong baseIntervalMillis = interval == null ? OptionalLong.empty()
                : OptionalLong.of(parseLong(interval, "trainer.base_every_s") * 1_000);
        String problem = DeltaRetentionCheck.problem(model, transport.expiryMillis(Topics.MODEL_DELTAS), consumer.startedAtBase(),
                consumer.emptyAtStart(), baseIntervalMillis);
        if (problem != null) {
            LOG.warning("replica " + replica + ": " + problem);
        }
        int retentionShort = problem == null ? 0 : 1;
        Gauge.builder("funnel_model_delta_retention_short", () -> retentionShort).tag("model", model)
                .description("1 when this replica's start-up check found that the model-deltas topic may not keep a base for"
                        + " replicas starting later (its retention.ms at or below trainer.base_every_s, or deltas without a base"
                        + " left; the start-up log says what to do); 0 otherwise").register(m);
    }

    /**
     * {@code streams.dir}; by default {@code data/streams}, or in demo (whose world is made afresh) a
     * new temp directory, deleted when the server closes (a few hundred MB of impressions an hour under
     * load): registered before the transport, so it runs after the queues are closed.
     */
    private static Path streamsDir(WiringContext ctx) {
        String dir = ctx.config().get("streams.dir", null);
        if (dir != null) {
            return Path.of(dir);
        }
        if (!ctx.demo()) {
            return Path.of("data/streams");
        }
        try {
            Path temp = DemoStreamsDir.create(); // also removes the ones that processes killed with -9 left
            ctx.onClose(() -> deleteTree(temp));
            return temp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp directory for the demo streams", e);
        }
    }

    /** Deletes a directory and everything under it; what cannot be deleted is logged and left. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warning("could not delete " + p + ": " + e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warning("could not delete the demo streams directory " + dir + ": " + e);
        }
    }

    private static long parseLong(String s, String key) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + s + "'");
        }
    }

    private static int parseInt(String s, String key) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + s + "'");
        }
    }
}
