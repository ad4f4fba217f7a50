package dev.funnel.model.serving;

import dev.funnel.features.FeatureExtractor;
import dev.funnel.features.FeatureSchema;
import dev.funnel.model.batch.DynamicBatcher;
import dev.funnel.model.ctr.CtrModelSpec;
import dev.funnel.model.embedding.EmbeddingTable;
import dev.funnel.model.registry.ModelRegistry;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Everything {@code rank.onnx} needs to score with one {@code ctr}-architecture model: its
 * feature schema and extractor, its spec, its {@code field} and {@code wide} embedding tables, and
 * its batcher. Immutable holder; the parts are thread-safe as documented on each.
 *
 * <p>Sparse deltas from the trainer go to {@link #fieldTable()} and {@link #wideTable()} (one
 * writer thread); dense snapshots go to {@link ModelRegistry#load} under {@link #name()}.
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

    /** The batcher's clock: deadlines handed to it are in these terms. */
    public long nowNanos() {
        return clockNanos.getAsLong();
    }
}
