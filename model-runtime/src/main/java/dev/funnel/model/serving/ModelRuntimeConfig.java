package dev.funnel.model.serving;

import dev.funnel.model.BackendConfig;
import dev.funnel.model.batch.BatcherConfig;
import java.util.Objects;

/**
 * How the server runs models. Immutable.
 *
 * @param backend          the inference backend (default ONNX Runtime CPU)
 * @param batcher          batching for every rank model
 * @param loaderThreads    threads that load models (ONNX parsing, TensorRT builds), off the loops
 * @param tableMaxRows     row bound of each embedding table; its arrays are allocated for this bound at start
 *                         (about 170 MB of heap for the ctr model's two tables at the default)
 * @param tableTtlSeconds  rows not updated for this long expire (0 = never)
 * @param tableAdmitAfter  a new id gets a row on its n-th write
 */
public record ModelRuntimeConfig(BackendConfig backend, BatcherConfig batcher, int loaderThreads, int tableMaxRows,
                                 long tableTtlSeconds, int tableAdmitAfter) {

    public static final int DEFAULT_LOADER_THREADS = 1;
    public static final int DEFAULT_TABLE_MAX_ROWS = 1 << 20;
    public static final long DEFAULT_TABLE_TTL_SECONDS = 7 * 24 * 3600;
    public static final int DEFAULT_TABLE_ADMIT_AFTER = 1;

    public static final ModelRuntimeConfig DEFAULT = new ModelRuntimeConfig(BackendConfig.DEFAULT, BatcherConfig.DEFAULT,
            DEFAULT_LOADER_THREADS, DEFAULT_TABLE_MAX_ROWS, DEFAULT_TABLE_TTL_SECONDS, DEFAULT_TABLE_ADMIT_AFTER);

    public ModelRuntimeConfig {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(batcher, "batcher");
        if (loaderThreads < 1 || loaderThreads > 16) {
            throw new IllegalArgumentException("loader_threads must be in 1..16, got " + loaderThreads);
        }
        if (tableMaxRows < 1) {
            throw new IllegalArgumentException("table_max_rows must be >= 1, got " + tableMaxRows);
        }
        if (tableTtlSeconds < 0) {
            throw new IllegalArgumentException("table_ttl_seconds must be >= 0, got " + tableTtlSeconds);
        }
        if (tableAdmitAfter < 1) {
            throw new IllegalArgumentException("table_admit_after must be >= 1, got " + tableAdmitAfter);
        }
    }

    public ModelRuntimeConfig withBatcher(BatcherConfig b) {
        return new ModelRuntimeConfig(backend, b, loaderThreads, tableMaxRows, tableTtlSeconds, tableAdmitAfter);
    }

    public ModelRuntimeConfig withBackend(BackendConfig b) {
        return new ModelRuntimeConfig(b, batcher, loaderThreads, tableMaxRows, tableTtlSeconds, tableAdmitAfter);
    }

    /** This config with each embedding table bounded (and preallocated) at {@code rows} rows. */
    public ModelRuntimeConfig withTableMaxRows(int rows) {
        return new ModelRuntimeConfig(backend, batcher, loaderThreads, rows, tableTtlSeconds, tableAdmitAfter);
    }
}
