package dev.funnel.trainer.apply;

import dev.funnel.model.embedding.EmbeddingTable;

import java.util.Map;

/**
 * The embedding tables a replica's ranker reads and its delta consumer writes, by delta table name
 * ({@code field}, {@code wide}). Registered in the operator environment so the ranker and the
 * consumer share the same instances.
 *
 * @param byName tables by name
 */
public record ServingTables(Map<String, EmbeddingTable> byName) {

    /** Default row limit of the tables {@link #forCtr} makes. */
    public static final int DEFAULT_MAX_ROWS = 1 << 21;

    public ServingTables {
        byName = Map.copyOf(byName);
    }

    /**
     * Tables for a ctr model: {@code field} (width fieldDim) and {@code wide} (width heads), admitting
     * every row written (the trainer already applied frequency admission) and never expiring on their
     * own (the trainer's expiry decides which rows it keeps publishing).
     */
    public static ServingTables forCtr(int fieldDim, int heads) {
        return new ServingTables(Map.of(
                "field", EmbeddingTable.builder("field", fieldDim).maxRows(DEFAULT_MAX_ROWS).admitAfter(1).build(),
                "wide", EmbeddingTable.builder("wide", heads).maxRows(DEFAULT_MAX_ROWS).admitAfter(1).build()));
    }

    /** The table of this name, or null. */
    public EmbeddingTable table(String name) {
        return byName.get(name);
    }
}
