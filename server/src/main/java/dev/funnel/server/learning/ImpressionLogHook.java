package dev.funnel.server.learning;

import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.features.FeatureBatch;
import dev.funnel.index.ItemStore;
import dev.funnel.server.serving.ResponseListener;
import dev.funnel.trainer.log.LoopWriter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * After each response, logs what was served with the ranker's feature rows ({@code rank.features}
 * request attribute) through the {@link LoopWriter}: on the event loop it only copies the served ids
 * and scores and enqueues; the writer thread builds and appends the record.
 */
final class ImpressionLogHook implements ResponseListener {

    /** The request attribute where {@code rank.onnx} leaves its {@link FeatureBatch}. */
    static final String FEATURES_ATTRIBUTE = "rank.features";

    private final LoopWriter writer;
    private final ItemStore items;
    private final String modelName;
    private final java.util.function.LongSupplier modelVersion;
    private final AtomicLong withoutFeatures = new AtomicLong();

    ImpressionLogHook(LoopWriter writer, ItemStore items, String modelName, java.util.function.LongSupplier modelVersion) {
        this.writer = writer;
        this.items = items;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
    }

    /** A registry version as a number: {@code v12} → 12, {@code 0} → 0; -1 when it is not one. */
    static long versionNumber(String version) {
        if (version == null) {
            return -1;
        }
        String digits = version.startsWith("v") ? version.substring(1) : version;
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void onResponse(RequestContext request, Candidates served, DagResult result) {
        if (served.isEmpty()) {
            return;
        }
        Object f = request.attributes().get(FEATURES_ATTRIBUTE);
        if (!(f instanceof FeatureBatch batch)) {
            // Nothing ranked it (fallback path): no features to learn from.
            withoutFeatures.incrementAndGet();
            return;
        }
        long[] ids = served.idsCopy();
        float[][] embeddings = new float[ids.length][];
        if (items != null) {
            for (int i = 0; i < ids.length; i++) {
                embeddings[i] = items.embedding(ids[i]);
            }
        }
        writer.logImpression(request.requestId(), request.userId(), request.scene(), modelName, modelVersion.getAsLong(), batch, embeddings, ids,
                served.scoresCopy(), System.currentTimeMillis());
    }

    /** Responses not logged because the ranker left no features. */
    long withoutFeatures() {
        return withoutFeatures.get();
    }
}
