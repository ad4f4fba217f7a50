package dev.funnel.features;

import dev.funnel.features.profile.UserProfile;
import java.util.List;
import java.util.Map;

/**
 * Turns (user, request context, candidate items) into a {@link FeatureBatch} under one
 * {@link FeatureSchema}. Stateless and thread-safe; per call it allocates nothing per candidate
 * (user- and context-side ids are hashed once per call).
 */
public final class FeatureExtractor {

    private static final double FRESHNESS_HOURS = 72.0;
    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    private final FeatureSchema schema;
    private final long[] fieldSeeds;
    private final long[] crossSeeds;
    private final long tagSeed;
    private final FeatureSchema.Source[] sources;
    private final FeatureSchema.DenseFeature[] dense;
    private final double[] ageBounds;
    private final double[] popularityBounds;
    // Item-side strings repeat across requests: hash each once (see StringIdCache).
    private final StringIdCache[] fieldStringIds;
    private final StringIdCache tagIds;

    public FeatureExtractor(FeatureSchema schema) {
        this.schema = schema;
        int f = schema.fieldCount();
        fieldSeeds = new long[f];
        sources = new FeatureSchema.Source[f];
        for (int i = 0; i < f; i++) {
            fieldSeeds[i] = FeatureHash.fieldSeed(schema.fields().get(i).name());
            sources[i] = schema.fields().get(i).source();
        }
        crossSeeds = new long[schema.crosses().size()];
        for (int c = 0; c < crossSeeds.length; c++) {
            crossSeeds[c] = FeatureHash.fieldSeed(schema.crosses().get(c).name());
        }
        tagSeed = FeatureHash.fieldSeed("tag");
        tagIds = new StringIdCache(tagSeed);
        fieldStringIds = new StringIdCache[f];
        for (int i = 0; i < f; i++) {
            if (sources[i] == FeatureSchema.Source.CATEGORY || sources[i] == FeatureSchema.Source.AUTHOR) {
                fieldStringIds[i] = new StringIdCache(fieldSeeds[i]);
            }
        }
        dense = schema.dense().toArray(new FeatureSchema.DenseFeature[0]);
        ageBounds = schema.ageBoundsShared();
        popularityBounds = schema.popularityBoundsShared();
    }

    public FeatureSchema schema() {
        return schema;
    }

    /** A new batch for this schema, extracted from these items. */
    public FeatureBatch extract(UserProfile user, Map<String, Object> context, long nowMillis,
                                ItemAttributes items, long[] itemIds, int n) {
        FeatureBatch out = new FeatureBatch(schema, n);
        extract(user, context, nowMillis, items, itemIds, n, out);
        return out;
    }

    /**
     * Fills {@code out} (reset first) with the features of {@code itemIds[0..n)}.
     *
     * @param user      the request's user (use {@link UserProfile#unknown} when none)
     * @param context   the request's client context (device, locale…)
     * @param nowMillis wall-clock time of the request (serving) or of the impression (training)
     */
    public void extract(UserProfile user, Map<String, Object> context, long nowMillis,
                        ItemAttributes items, long[] itemIds, int n, FeatureBatch out) {
        if (!out.schemaVersion().equals(schema.version())) {
            throw new IllegalArgumentException("batch is for schema " + out.schemaVersion() + ", extractor for " + schema.version());
        }
        out.reset(n);
        ItemRows rows = new ItemRows(n);
        items.read(itemIds, n, rows); // one lookup per item, not one per attribute read below
        int fc = schema.fieldCount();
        int cc = crossSeeds.length;
        int wc = schema.wideCount();
        int dc = dense.length;
        long[] requestIds = new long[fc];
        for (int f = 0; f < fc; f++) {
            if (!sources[f].itemSide()) {
                requestIds[f] = requestSideId(f, user, context);
            }
        }
        float[] userEmb = user.embedding();
        out.setUserEmbedding(userEmb);
        Map<String, Double> interests = user.interestTags();
        long[] fieldIds = out.fieldIdArray();
        long[] wideIds = out.wideIdArray();
        float[] denseOut = out.denseArray();
        long[] itemIdsOut = out.itemIdArray();
        float[][] embeddingsOut = out.itemEmbeddingArray();
        int slots = schema.tagSlots();
        // Item-side strings first, one field (then the tags) over all rows: each pass is a short loop of
        // independent memo lookups (string, slot, entry), so their cache misses overlap; row by row,
        // each row's chain of lookups waited on the one before. In serving these lines are cold.
        for (int f = 0; f < fc; f++) {
            StringIdCache ids = fieldStringIds[f];
            if (ids != null) {
                String[] column = sources[f] == FeatureSchema.Source.CATEGORY ? rows.category : rows.author;
                for (int r = 0, i = f; r < n; r++, i += fc) {
                    fieldIds[i] = ids.idOf(nullToEmpty(column[r]));
                }
            }
        }
        int tagBase = fc + cc;
        for (int r = 0; r < n; r++) {
            List<String> tags = rows.tags[r];
            int tagCount = tags == null ? 0 : tags.size();
            for (int t = 0, i = r * wc + tagBase; t < slots; t++, i++) {
                wideIds[i] = t < tagCount ? tagIds.idOf(tags.get(t)) : FeatureBatch.EMPTY_ID;
            }
        }
        for (int r = 0; r < n; r++) {
            long item = itemIds[r];
            itemIdsOut[r] = item;
            long created = rows.createdAtMillis[r];
            double popularity = rows.popularity[r];
            float[] embedding = rows.embedding[r];
            embeddingsOut[r] = embedding;
            int fb = r * fc;
            for (int f = 0; f < fc; f++) {
                if (fieldStringIds[f] == null) { // string fields: set above
                    fieldIds[fb + f] = sources[f].itemSide() ? itemSideId(f, item, nowMillis, created, popularity)
                            : requestIds[f];
                }
            }
            int wb = r * wc;
            System.arraycopy(fieldIds, fb, wideIds, wb, fc);
            for (int c = 0; c < cc; c++) {
                wideIds[wb + fc + c] = FeatureHash.cross(crossSeeds[c], fieldIds[fb + schema.crossLeft(c)],
                        fieldIds[fb + schema.crossRight(c)]);
            }
            List<String> tags = rows.tags[r];
            int tagCount = tags == null ? 0 : tags.size();
            int db = r * dc;
            for (int d = 0; d < dc; d++) {
                denseOut[db + d] = denseValue(dense[d], embedding, userEmb, interests, tags, tagCount, nowMillis,
                        created, popularity);
            }
        }
        out.setSize(n);
    }

    private long requestSideId(int f, UserProfile user, Map<String, Object> context) {
        FeatureSchema.SparseField field = schema.fields().get(f);
        long seed = fieldSeeds[f];
        switch (field.source()) {
            case USER_ID:
                return FeatureHash.ofString(seed, user.userId());
            case USER_ATTR:
                return FeatureHash.ofString(seed, nullToEmpty(user.demographics().get(field.key())));
            case CONTEXT:
                Object v = context == null ? null : context.get(field.key());
                if (v instanceof Number num && !(v instanceof Double || v instanceof Float)) {
                    return FeatureHash.ofLong(seed, num.longValue());
                }
                return FeatureHash.ofString(seed, v == null ? "" : v.toString());
            default:
                throw new IllegalStateException("not a request-side source: " + field.source());
        }
    }

    /** The item-side ids that are not strings (those come from the memo, a field at a time). */
    private long itemSideId(int f, long item, long nowMillis, long created, double popularity) {
        long seed = fieldSeeds[f];
        switch (sources[f]) {
            case ITEM_ID:
                return FeatureHash.ofLong(seed, item);
            case ITEM_AGE_BUCKET: {
                // Unknown creation time gets its own bucket, one past the last.
                int bucket = created == Long.MIN_VALUE ? ageBounds.length + 1
                        : FeatureSchema.bucketOf((nowMillis - created) / MILLIS_PER_HOUR, ageBounds);
                return FeatureHash.ofLong(seed, bucket);
            }
            case POPULARITY_BUCKET:
                return FeatureHash.ofLong(seed, FeatureSchema.bucketOf(popularity, popularityBounds));
            default:
                throw new IllegalStateException("not an item-side source: " + sources[f]);
        }
    }

    private static float denseValue(FeatureSchema.DenseFeature feature, float[] e, float[] userEmb,
                                    Map<String, Double> interests, List<String> tags, int tagCount, long nowMillis,
                                    long created, double popularity) {
        switch (feature) {
            case CONTENT_AFFINITY: {
                if (userEmb == null || e == null) {
                    return 0f;
                }
                return dot(userEmb, e, Math.min(userEmb.length, e.length));
            }
            case LOG_POPULARITY:
                // log(1 + p), not log1p: Math.log is an intrinsic, log1p a software routine several
                // times slower, and the float this returns is the same for p >= 0 but for an ulp.
                return (float) Math.log(1.0 + Math.max(0.0, popularity));
            case INTEREST_MATCH: {
                double s = 0;
                if (interests != null && !interests.isEmpty()) {
                    for (int t = 0; t < tagCount; t++) {
                        Double w = interests.get(tags.get(t));
                        if (w != null) {
                            s += w;
                        }
                    }
                }
                return (float) s;
            }
            case FRESHNESS: {
                if (created == Long.MIN_VALUE) {
                    return 0f;
                }
                double hours = Math.max(0.0, (nowMillis - created) / MILLIS_PER_HOUR);
                return (float) Math.exp(-hours / FRESHNESS_HOURS);
            }
            case HAS_USER_EMBEDDING:
                return userEmb == null ? 0f : 1f;
            default:
                throw new IllegalStateException("unknown dense feature " + feature);
        }
    }

    /**
     * Four running sums, not one: one chain of dependent additions waits out the adder's latency on
     * every element, and this runs once per candidate. Training extracts through here too, so both
     * sides sum in the same order. The index's {@code VectorMath.dot} is the same loop; this module
     * depends on no other, so it keeps its own.
     */
    static float dot(float[] a, float[] b, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
