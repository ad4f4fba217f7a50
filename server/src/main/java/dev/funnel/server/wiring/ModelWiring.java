package dev.funnel.server.wiring;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.BackendConfig;
import dev.funnel.model.batch.BatcherConfig;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.registry.ModelRegistry;
import dev.funnel.model.registry.PinFile;
import dev.funnel.model.serving.ModelRuntime;
import dev.funnel.model.serving.ModelRuntimeConfig;
import dev.funnel.model.serving.PinControl;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.sre.ModelStatusSource;
import dev.funnel.sim.SimWorld;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model runtime for {@code rank.onnx}: registers {@link ModelRuntime}, its
 * {@link ModelRegistry}, the {@link FeatureSchema} and a {@link ModelStatusSource}. The {@code ctr}
 * model starts as the bootstrap model (version {@code 0}); with {@code model.ctr.path} set, that
 * ONNX file is loaded over it at start. Config keys (defaults): {@code model.backend} (ort-cpu;
 * ort-cuda, ort-tensorrt, tensorrt fall back to CPU when they cannot start),
 * {@code model.intra_op_threads} (1), {@code model.optimization_level} (all),
 * {@code model.max_batch_rows} (1024), {@code model.max_queue_delay_us} (500),
 * {@code model.queue_capacity} (1024), {@code model.batcher_runners} (one per four cores, at least
 * one: threads that each run one batch at a time, assembling its rows then scoring them; 2 on two
 * cores is what a wide model wants), {@code model.dispatch_when_idle} (true: a free runner takes what is queued at once;
 * false: wait up to the queue delay to fill a batch), {@code model.ctr.path}, and for a user-supplied model
 * whose tensors have other names {@code model.ctr.input_map} / {@code model.ctr.output_map}
 * ({@code user_emb=input.1,item_emb=input.2,…} / {@code probs=output}), {@code model.ctr.hidden} (64,32: the
 * bootstrap model's and the embedded trainer's hidden layers), {@code model.pins} (where rollback pins
 * are kept across restarts, see {@link #pinsFile}), {@link #TABLE_MAX_ROWS_KEY} (2^20). Model team's wiring.
 */
public final class ModelWiring implements FeatureWiring {

    private static final Logger LOG = LoggerFactory.getLogger(ModelWiring.class);

    /**
     * Config key: the row bound of each of the {@code ctr} model's embedding tables. The tables
     * allocate their arrays for this bound when the server starts (they never grow, so readers need no
     * lock), about 170 MB of heap at the default {@link ModelRuntimeConfig#DEFAULT_TABLE_MAX_ROWS}; a
     * server whose ids are fewer (a small demo world, a test) can say so and keep the heap.
     */
    public static final String TABLE_MAX_ROWS_KEY = "model.table_max_rows";

    @Override
    public int order() {
        return 30; // after the catalog (10): the content dim comes from the same place
    }

    @Override
    public void wire(WiringContext ctx) {
        SimWorld world = ctx.env().find(SimWorld.class).orElse(null);
        int dim = world != null ? world.config().dim() : Integer.parseInt(ctx.config().get("index.dim", "64"));
        FeatureSchema schema = FeatureSchema.defaultSchema(dim);
        ModelRuntimeConfig config = runtimeConfig(ctx.config());
        Map<String, String> inputMap = pairs(ctx.config().get("model.ctr.input_map", ""));
        Map<String, String> outputMap = pairs(ctx.config().get("model.ctr.output_map", ""));
        String path = ctx.config().get("model.ctr.path", "");
        CtrModelSpec spec = CtrModelSpec.forSchema(schema, CtrModelSpec.DEFAULT_FIELD_DIM,
                hiddenLayers(ctx.config().get("model.ctr.hidden", "")), CtrModelSpec.DEFAULT_HEADS);
        ModelRuntime runtime;
        if (inputMap.isEmpty() && outputMap.isEmpty()) {
            runtime = ModelRuntime.demo(schema, spec, config, ctx.meterRegistry());
            LOG.info("model ctr: hidden layers {} (model.ctr.hidden)", Arrays.toString(spec.hidden()));
        } else {
            if (path.isEmpty()) {
                throw new IllegalArgumentException("model.ctr.input_map / output_map need model.ctr.path (the user-supplied model)");
            }
            runtime = ModelRuntime.start(config, ctx.meterRegistry());
            runtime.addCtrModel("ctr", schema, spec, inputMap, outputMap);
        }
        ctx.onClose(runtime);
        if (!path.isEmpty()) {
            // Wiring runs once, on the thread that starts the app, before any port opens: never an event loop.
            String version = runtime.registry().loadFile("ctr", "file", Path.of(path)).join(); // blocks until loaded, off the loops
            LOG.info("model ctr: loaded {} as version {}", path, version);
        }
        Path pins = pinsFile(ctx);
        if (pins != null) {
            // Before the learning loop (order 200) replays the delta stream: an awaited pin must be in place first.
            runtime.keepPinsIn(new PinFile(pins)); // reads a small file, at start, off the loops
        } else {
            LOG.info("model pins: in memory only (model.pins=off, or demo without streams.dir): a restart serves the newest version");
        }
        ctx.env().register(ModelRuntime.class, runtime)
                .register(PinControl.class, runtime) // this replica only; the learning loop makes it cluster-wide
                .register(ModelRegistry.class, runtime.registry())
                .register(FeatureSchema.class, schema)
                .register(ModelStatusSource.class, () -> runtime.models().stream()
                        .filter(m -> m.liveVersion() != null)
                        // The console shows a pin: while it holds, the trainer's snapshots are received but not live.
                        .map(m -> new ModelStatusSource.ModelStatus(m.name(),
                                m.pinned() ? m.liveVersion() + " (pinned)"
                                        : m.awaitedPin() != null ? m.liveVersion() + " (pin to " + m.awaitedPin() + " not restored)"
                                        : m.liveVersion(), m.liveSinceMillis()))
                        .toList());
        LOG.info("model runtime: {} serving {}", runtime, runtime.liveVersions());
    }

    /**
     * {@code model.pins}: the file that keeps rollback pins across restarts ({@link PinFile}), or
     * {@code off}. Default: {@code data/model-pins.properties}; in demo, {@code model-pins.properties}
     * in {@code streams.dir} when it is set (the pins name versions of that delta stream), else none
     * (the demo's streams are a temp directory: after a restart there is nothing to pin to).
     */
    static Path pinsFile(WiringContext ctx) {
        String v = ctx.config().get("model.pins", "").trim();
        if (v.equalsIgnoreCase("off")) {
            return null;
        }
        if (!v.isEmpty()) {
            return Path.of(v);
        }
        if (!ctx.demo()) {
            return Path.of("data", PINS_FILE_NAME);
        }
        String streams = ctx.config().get("streams.dir", null);
        return streams == null ? null : Path.of(streams, PINS_FILE_NAME);
    }

    /** The pins file's name where {@code model.pins} does not say. */
    static final String PINS_FILE_NAME = "model-pins.properties";

    /**
     * {@code model.ctr.hidden}: the widths of the {@code ctr} model's hidden layers, e.g.
     * {@code 256,128}; blank → {@link CtrModelSpec#DEFAULT_HIDDEN}. The bootstrap model and the
     * embedded trainer's dense part take this shape; a model loaded from a file or published by a
     * trainer brings its own (only its inputs and outputs are checked).
     */
    static int[] hiddenLayers(String value) {
        return CtrModelSpec.parseHidden("model.ctr.hidden", value);
    }

    /** {@code a=b,c=d} → {a: b, c: d}; blank → empty. */
    static Map<String, String> pairs(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0 || eq == part.length() - 1) {
                throw new IllegalArgumentException("expected name=model_name pairs separated by commas, got '" + spec + "'");
            }
            out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        return out;
    }

    /** The backend and batcher from the {@code model.*} keys; a bad value fails naming the key and the value. */
    static ModelRuntimeConfig runtimeConfig(FunnelConfig c) {
        int maxBatchRows = c.getInt("model.max_batch_rows", 1024);
        BackendConfig backend = new BackendConfig(BackendConfig.Kind.fromId(c.get("model.backend", "ort-cpu")),
                c.getInt("model.intra_op_threads", 1),
                c.get("model.optimization_level", "all"), 0, null, false, maxBatchRows * 4);
        BatcherConfig batcher = new BatcherConfig(maxBatchRows, c.getInt("model.max_queue_delay_us", 500),
                c.getInt("model.queue_capacity", 1024))
                .withRunners(c.getInt("model.batcher_runners",
                        BatcherConfig.runnersForCores(Runtime.getRuntime().availableProcessors())))
                .withDispatchWhenIdle(c.getBoolean("model.dispatch_when_idle", BatcherConfig.DEFAULT_DISPATCH_WHEN_IDLE));
        int tableMaxRows = c.getInt(TABLE_MAX_ROWS_KEY, ModelRuntimeConfig.DEFAULT_TABLE_MAX_ROWS);
        if (tableMaxRows < 1) {
            throw new IllegalArgumentException(TABLE_MAX_ROWS_KEY + " must be >= 1, got " + tableMaxRows);
        }
        return ModelRuntimeConfig.DEFAULT.withBackend(backend).withBatcher(batcher).withTableMaxRows(tableMaxRows);
    }
}
