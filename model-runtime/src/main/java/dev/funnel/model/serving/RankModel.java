package dev.funnel.model.serving;

import dev.funnel.features.FeatureBatch;
import dev.funnel.features.FeatureExtractor;
import dev.funnel.features.FeatureSchema;
import dev.funnel.features.ItemAttributes;
import dev.funnel.model.batch.DynamicBatcher;
import dev.funnel.model.batch.ScoringTask;
import dev.funnel.model.ctr.CtrInputs;
import dev.funnel.model.ctr.CtrModel;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.model.registry.ModelRegistry;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Everything {@code rank.onnx} needs to score with one {@code ctr}-architecture model: its
 * feature schema and extractor, its spec, its {@code field} and {@code wide} embedding tables, and
 * its batcher. Immutable holder; the parts are thread-safe as documented on each.
 *
 * <p>Sparse deltas from the trainer go to {@link #fieldTable()} and {@link #wideTable()} (one
 * writer thread); dense snapshots go to {@link ModelRegistry#load} under {@link #name()}.
 *
 * <p>{@link #score} queues a request's features on the batcher; its runner assembles the model
 * inputs straight into the batch's buffers just before the inference (see {@code RowWriter}):
 * written by the core that reads them next (an inference whose inputs another core wrote runs
 * 30–60 µs slower per batch, {@code CrossThreadInputs} in bench), never assembled for rows dropped
 * as late, and no buffer per request.
 */
public final class RankModel {

    private final String name;
    private final FeatureSchema schema;
    private final FeatureExtractor extractor;
    private final CtrModelSpec spec;
    private final EmbeddingTable fieldTable;
    private final EmbeddingTable wideTable;
    private final DynamicBatcher batcher;
    private final LongSupplier clockNanos;
    private final int[] inputWidths;
    /** Assembly scratch of each runner thread (a ThreadLocal read: never blocks). */
    private final ThreadLocal<CtrInputs> scratch;

    RankModel(String name, FeatureSchema schema, CtrModelSpec spec, EmbeddingTable fieldTable, EmbeddingTable wideTable,
              DynamicBatcher batcher, LongSupplier clockNanos) {
        this.name = name;
        this.schema = schema;
        this.extractor = new FeatureExtractor(schema);
        this.spec = spec;
        this.fieldTable = fieldTable;
        this.wideTable = wideTable;
        this.batcher = batcher;
        this.clockNanos = clockNanos;
        this.inputWidths = CtrModel.inputWidths(spec);
        this.scratch = ThreadLocal.withInitial(() -> CtrInputs.scratch(spec));
    }

    public String name() {
        return name;
    }

    public FeatureSchema schema() {
        return schema;
    }

    public FeatureExtractor extractor() {
        return extractor;
    }

    public CtrModelSpec spec() {
        return spec;
    }

    /** The objective names, one output column each (e.g. {@code click}, {@code like}). */
    public List<String> heads() {
        return spec.heads();
    }

    /** Field embeddings: field id → {@code spec.fieldDim()} floats. */
    public EmbeddingTable fieldTable() {
        return fieldTable;
    }

    /** Wide weights: wide id → one float per head. */
    public EmbeddingTable wideTable() {
        return wideTable;
    }

    public DynamicBatcher batcher() {
        return batcher;
    }

    /**
     * Offers the rows of {@code features} to the batcher as one task; its runner assembles them into
     * the model's inputs (from this model's tables and the items' embeddings, {@link CtrInputs#fillInto})
     * just before their inference. Any thread. {@code features} and {@code items} must not change
     * until the task's result completes.
     *
     * @param deadlineNanos in {@link #nowNanos()} terms; rows still queued after it are dropped
     * @param completeOn    where the task's result completes (the request's loop), or null
     * @return the task, already offered: when the batcher refused it, its result is already failed
     *         with the reason
     * @throws IllegalArgumentException when the features do not match this model's schema
     */
    public ScoringTask score(FeatureBatch features, ItemAttributes items, long deadlineNanos, Executor completeOn) {
        CtrInputs.check(spec, features, fieldTable, wideTable);
        ScoringTask task = new ScoringTask(features.size(), inputWidths,
                (inputs, rowOffset) -> scratch.get().fillInto(inputs, rowOffset, features, items, fieldTable, wideTable),
                deadlineNanos, completeOn);
        batcher.offer(task);
        return task;
    }

    /** The batcher's clock: deadlines handed to it are in these terms. */
    public long nowNanos() {
        return clockNanos.getAsLong();
    }
}
