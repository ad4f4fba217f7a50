package dev.funnel.model.serving;

import dev.funnel.features.FeatureBatch;
import dev.funnel.features.FeatureExtractor;
import dev.funnel.features.FeatureSchema;
import dev.funnel.features.ItemAttributes;
import dev.funnel.model.batch.DynamicBatcher;
import dev.funnel.model.batch.ScoringTask;
import dev.funnel.model.ctr.CtrInputs;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.model.registry.ModelRegistry;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.jctools.queues.MpmcArrayQueue;

/**
 * Everything {@code rank.onnx} needs to score with one {@code ctr}-architecture model: its
 * feature schema and extractor, its spec, its {@code field} and {@code wide} embedding tables, and
 * its batcher. Immutable holder; the parts are thread-safe as documented on each.
 *
 * <p>Sparse deltas from the trainer go to {@link #fieldTable()} and {@link #wideTable()} (one
 * writer thread); dense snapshots go to {@link ModelRegistry#load} under {@link #name()}.
 *
 * <p>{@link #score} assembles a request's inputs into direct buffers taken from a small pool and
 * queues them on the batcher; the buffers return to the pool once the task's result completes
 * (by then the batcher no longer reads them), so steady serving allocates no input buffers.
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
    /** Idle direct input buffers; any thread takes and returns (bounded: extras are left to the GC). */
    private final MpmcArrayQueue<CtrInputs> inputPool = new MpmcArrayQueue<>(INPUT_POOL_SIZE);

    /** Input buffer sets kept for reuse. */
    static final int INPUT_POOL_SIZE = 64;
    /** Smallest row capacity of pooled inputs (rows are rounded up to a power of two at or above it). */
    static final int MIN_POOLED_ROWS = 64;

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
     * Assembles the model inputs of {@code features} (from this model's tables and the items'
     * embeddings) into pooled direct buffers and offers them to the batcher as one task. Any
     * thread; the caller's own work, so call it where CPU-heavy work may run.
     *
     * @param deadlineNanos in {@link #nowNanos()} terms; rows still queued after it are dropped
     * @param completeOn    where the task's result completes (the request's loop), or null
     * @return the task, already offered: when the batcher refused it, its result is already failed
     *         with the reason
     * @throws IllegalArgumentException when the features do not match this model's schema
     */
    public ScoringTask score(FeatureBatch features, ItemAttributes items, long deadlineNanos, Executor completeOn) {
        int n = features.size();
        CtrInputs inputs = borrowInputs(n);
        ScoringTask task;
        try {
            inputs.fill(features, items, fieldTable, wideTable);
            task = new ScoringTask(n, inputs.buffers(), deadlineNanos, completeOn);
        } catch (RuntimeException e) {
            inputPool.offer(inputs);
            throw e;
        }
        // Completion comes after the batcher's last read of the buffers (inference, or the drop).
        task.result().whenComplete((scores, failure) -> inputPool.offer(inputs));
        batcher.offer(task);
        return task;
    }

    private CtrInputs borrowInputs(int rows) {
        CtrInputs in = inputPool.poll();
        if (in != null && in.rows() >= rows) {
            return in;
        }
        int cap = Math.max(MIN_POOLED_ROWS, rows <= 1 ? 1 : Integer.highestOneBit(rows - 1) << 1);
        return CtrInputs.direct(spec, cap); // a smaller one taken above is dropped for a bigger one
    }

    /** The batcher's clock: deadlines handed to it are in these terms. */
    public long nowNanos() {
        return clockNanos.getAsLong();
    }
}
