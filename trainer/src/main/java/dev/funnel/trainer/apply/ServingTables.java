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

    /** The table of this name, or null. */
    public EmbeddingTable table(String name) {
        return byName.get(name);
    }
}
