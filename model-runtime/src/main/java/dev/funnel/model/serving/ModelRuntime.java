package dev.funnel.model.serving;

import dev.funnel.features.FeatureSchema;
import dev.funnel.model.InferenceBackend;
import dev.funnel.model.ModelSignature;
import dev.funnel.model.backend.Backends;
import dev.funnel.model.batch.DynamicBatcher;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.model.registry.ModelDefinition;
import dev.funnel.model.registry.ModelInfo;
import dev.funnel.model.registry.ModelRegistry;
import dev.funnel.model.registry.PinFile;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The model runtime as the server wires it: one backend, one registry with a loader pool, and per
 * rank model its tables and batcher. The server registers this object in the
 * {@code OperatorEnv} ({@code env.register(ModelRuntime.class, runtime)}); {@code rank.onnx}
 * finds its model here. Thread-safe; {@link #addCtrModel} during wiring.
 */
public final class ModelRuntime implements PinControl, AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelRuntime.class);

    /** Metadata a ctr version must carry (besides its schema version). */
    private static final String ARCH = "ctr";

    private final ModelRuntimeConfig config;
    private final MeterRegistry meters;
    private final InferenceBackend backend;
    private final ExecutorService loader;
    private final ModelRegistry registry;
    private final Map<String, RankModel> rankModels = new ConcurrentHashMap<>();
    /** Where pins are saved, or null (in memory only); set once at start by {@link #keepPinsIn}. */
    private volatile PinFile pinFile;

    private ModelRuntime(ModelRuntimeConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.backend = Backends.open(config.backend(), meters);
        AtomicInteger n = new AtomicInteger();
        this.loader = Executors.newFixedThreadPool(config.loaderThreads(), r -> {
            Thread t = new Thread(r, "model-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.registry = new ModelRegistry(backend, loader, meters);
    }

    /** Starts the backend (falling back to CPU if it must) and the registry. */
    public static ModelRuntime start(ModelRuntimeConfig config, MeterRegistry meters) {
        return new ModelRuntime(config, meters);
    }

    /**
     * The demo runtime: the default configuration, a {@code ctr} model over {@code schema} with the
     * default spec, serving {@link CtrBootstrap}'s model as version {@value CtrBootstrap#VERSION}.
     * Blocks until that version is live (tens of milliseconds); call it at start, off the loops.
     */
    public static ModelRuntime demo(FeatureSchema schema, ModelRuntimeConfig config, MeterRegistry meters) {
        return demo(schema, CtrModelSpec.forSchema(schema), config, meters);
    }

    /**
     * As {@link #demo(FeatureSchema, ModelRuntimeConfig, MeterRegistry)}, with the {@code ctr}
     * model's shape (its hidden layers, say) from {@code spec}.
     *
     * @throws IllegalArgumentException when {@code spec} is not for {@code schema}
     */
    public static ModelRuntime demo(FeatureSchema schema, CtrModelSpec spec, ModelRuntimeConfig config,
                                    MeterRegistry meters) {
        ModelRuntime rt = start(config, meters);
        rt.addCtrModel("ctr", schema, spec);
        rt.registry.load("ctr", CtrBootstrap.VERSION, CtrBootstrap.onnx(schema, spec, CtrBootstrap.DEFAULT_SEED)).join(); // wiring at start, never on a loop
        return rt;
    }

    /**
     * Declares a ctr-architecture model: every version must have the {@link CtrModel} inputs and
     * output of {@code spec} and the metadata {@code funnel.arch=ctr} and
     * {@code funnel.feature_schema=schema.version()}. Creates its tables and batcher; load versions
     * with {@link #registry()}.
     *
     * @throws IllegalArgumentException when the name is taken or spec and schema disagree
     */
    public RankModel addCtrModel(String name, FeatureSchema schema, CtrModelSpec spec) {
        return addCtrModel(name, schema, spec, Map.of(), Map.of());
    }

    /**
     * Declares a model that takes the ctr inputs under its own names — a user-supplied model
     * exported from PyTorch, say. {@code inputNames} maps each {@link CtrModel#INPUTS} name to the
     * model's input name, {@code outputNames} maps {@link CtrModel#PROBS} to its output (shape
     * [N, heads]). Such a model carries no funnel metadata, so only names and widths are checked.
     * With both maps empty this is {@link #addCtrModel(String, FeatureSchema, CtrModelSpec)}.
     */
    public RankModel addCtrModel(String name, FeatureSchema schema, CtrModelSpec spec, Map<String, String> inputNames,
                                 Map<String, String> outputNames) {
        if (!spec.schemaVersion().equals(schema.version())) {
            throw new IllegalArgumentException("model '" + name + "': spec is for schema " + spec.schemaVersion()
                    + ", not " + schema.version());
        }
        boolean mapped = !inputNames.isEmpty() || !outputNames.isEmpty();
        ModelSignature expected = ctrSignature(spec);
        if (mapped) {
            expected = ModelSignature.of(expected.inputs(), expected.outputs());
        }
        registry.define(new ModelDefinition(name, expected, inputNames, outputNames, ModelDefinition.DEFAULT_HISTORY));
        EmbeddingTable field = table(name + ".field", spec.fieldDim());
        EmbeddingTable wide = table(name + ".wide", spec.headCount());
        DynamicBatcher batcher = new DynamicBatcher(name, registry, config.batcher(), System::nanoTime, meters);
        RankModel m = new RankModel(name, schema, spec, field, wide, batcher, System::nanoTime);
        rankModels.put(name, m);
        return m;
    }

    /** The expected signature of ctr models of this spec. */
    public static ModelSignature ctrSignature(CtrModelSpec spec) {
        int[] w = CtrModel.inputWidths(spec);
        List<ModelSignature.Tensor> ins = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            ins.add(new ModelSignature.Tensor(CtrModel.INPUTS[i], w[i]));
        }
        return new ModelSignature(ins, List.of(new ModelSignature.Tensor(CtrModel.PROBS, spec.headCount())),
                Map.of(CtrModel.META_ARCH, ARCH, CtrModel.META_SCHEMA, spec.schemaVersion()));
    }

    private EmbeddingTable table(String name, int dim) {
        return EmbeddingTable.builder(name, dim).maxRows(config.tableMaxRows())
                .ttlNanos(TimeUnit.SECONDS.toNanos(config.tableTtlSeconds())).admitAfter(config.tableAdmitAfter()).build();
    }

    /** The rank model of this name, if declared. */
    public Optional<RankModel> rankModel(String name) {
        return Optional.ofNullable(rankModels.get(name));
    }

    /**
     * The rank model of this name.
     *
     * @throws IllegalArgumentException naming the declared models when there is none
     */
    public RankModel requireRankModel(String name) {
        RankModel m = rankModels.get(name);
        if (m == null) {
            throw new IllegalArgumentException("model '" + name + "' is not registered; registered: " + rankModels.keySet());
        }
        return m;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** The backend actually running (after any fallback). */
    public InferenceBackend backend() {
        return backend;
    }

    /** Live version per model, for {@code versions.models}. */
    public Map<String, String> liveVersions() {
        return registry.liveVersions();
    }

    /** For the admin API: models, live versions, rollback history. */
    public List<ModelInfo> models() {
        return registry.models();
    }

    /**
     * For the admin API: makes the previous version of {@code name} live again and pins it
     * ({@link ModelRegistry#rollback}), then saves the pins when {@link #keepPinsIn} gave a file.
     *
     * @return fails with {@link PinNotSavedException} when the rollback is live but its pin could not be saved
     */
    @Override
    public CompletableFuture<String> rollback(String name) {
        return registry.rollback(name).thenApplyAsync(v -> savePins("rollback", name, v), loader);
    }

    /** For the admin API: ends a rollback's pin ({@link ModelRegistry#unpin}), then saves the pins as {@link #rollback} does. */
    @Override
    public CompletableFuture<String> unpin(String name) {
        return registry.unpin(name).thenApplyAsync(v -> savePins("unpin", name, v), loader);
    }

    /**
     * A rollback made on any replica, as a version ({@link ModelRegistry#pinTo}), then saves the pins
     * as {@link #rollback} does.
     */
    public CompletableFuture<String> pinTo(String name, String version) {
        return pinTo(name, version, null);
    }

    /** As {@link #pinTo(String, String)}, skipping through a version ({@link ModelRegistry#pinTo(String, String, String)}). */
    public CompletableFuture<String> pinTo(String name, String version, String skipThrough) {
        return registry.pinTo(name, version, skipThrough).thenApplyAsync(v -> savePins("rollback", name, v), loader);
    }

    /** An unpin made on any replica ({@link ModelRegistry#release}), then saves the pins as {@link #rollback} does. */
    public CompletableFuture<String> release(String name) {
        return registry.release(name).thenApplyAsync(v -> savePins("unpin", name, v), loader);
    }

    /**
     * Keeps the pins in {@code file} from now on (each rollback and unpin rewrites it, on the loader)
     * and restores the ones it holds ({@link ModelRegistry#restorePin}). Call at start, after the
     * models are defined and before versions arrive from a delta stream; off the event loops (it reads
     * the file). A pin of a model not defined here is dropped with a warning; an unreadable file is
     * logged and no pin is restored (the next rollback or unpin rewrites it).
     *
     * @return the pins restored, by model, with whether each holds now (false: it waits for its version)
     */
    public Map<String, Boolean> keepPinsIn(PinFile file) {
        Map<String, Boolean> restored = new java.util.TreeMap<>();
        Map<String, String> pins;
        try {
            pins = file.read();
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("model pins: cannot read {}: {}; no pin is restored (the next rollback or unpin rewrites it)", file.path(), e.toString());
            pins = Map.of();
        }
        for (Map.Entry<String, String> p : pins.entrySet()) {
            if (!registry.isDefined(p.getKey())) {
                LOG.warn("model pins: {} pins model '{}' to '{}', but no such model is defined here; the pin is dropped",
                        file.path(), p.getKey(), p.getValue());
                continue;
            }
            restored.put(p.getKey(), registry.restorePin(p.getKey(), p.getValue()));
        }
        this.pinFile = file;
        LOG.info("model pins: kept in {}; restored {}", file.path(), pins.isEmpty() ? "none" : pins);
        return restored;
    }

    /** The loader's step after a rollback or unpin: the pins on disk follow the registry's. */
    private String savePins(String what, String name, String version) {
        PinFile f = pinFile;
        if (f == null) {
            return version;
        }
        try {
            f.write(registry.pins()); // the registry's pins as of now: concurrent swaps each write the latest whole set
            return version;
        } catch (IOException | RuntimeException e) {
            LOG.error("model '{}': {} made '{}' live, but the pins could not be saved to {}: {}", name, what, version, f.path(), e.toString());
            throw new PinNotSavedException("model '" + name + "': " + what + " made '" + version + "' live, but the pins could not"
                    + " be saved to " + f.path() + " (" + e + "): a restart would not keep this " + what, e);
        }
    }

    /** A rollback or unpin took effect in memory, but its pin could not be written to the {@link PinFile}. */
    public static final class PinNotSavedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PinNotSavedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public void close() {
        for (RankModel m : rankModels.values()) {
            m.batcher().close();
        }
        registry.close();
        loader.shutdown();
        backend.close();
    }

    @Override
    public String toString() {
        return "ModelRuntime{backend=" + backend.kind().id() + ", batcher runners=" + config.batcher().runners()
                + ", models=" + rankModels.keySet() + '}';
    }
}
