package dev.funnel.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The versioned description of every feature the ranker feeds its model and the trainer learns
 * on. Immutable; build one with {@link #builder(String)} or use {@link #DEFAULT}.
 *
 * <p>Per candidate row it yields, in this order:
 * <ul>
 *   <li><b>field ids</b> ({@link #fieldCount()}): one hashed id per {@link SparseField}, in
 *       declaration order; each indexes the field-embedding table.</li>
 *   <li><b>wide ids</b> ({@link #wideCount()} = fields + crosses + tag slots): the field ids, then
 *       one id per {@link Cross}, then up to {@link #tagSlots()} item-tag ids (empty slots are
 *       {@link FeatureBatch#EMPTY_ID}); each indexes the wide (logistic) weight table.</li>
 *   <li><b>dense values</b> ({@link #denseCount()}): one float per {@link DenseFeature}.</li>
 *   <li>the user's and the item's content embeddings, {@link #contentDim()} floats each.</li>
 * </ul>
 *
 * <p>{@link #version()} is the name plus a fingerprint of the whole definition; a model records the
 * version it was trained for and the registry refuses a model whose version differs.
 */
public final class FeatureSchema {

    /** Where a sparse field's value comes from. */
    public enum Source {
        /** The request's user id. */
        USER_ID,
        /** The candidate's item id. */
        ITEM_ID,
        /** The item's category. */
        CATEGORY,
        /** The item's author. */
        AUTHOR,
        /** {@code UserProfile.demographics().get(key)}. */
        USER_ATTR,
        /** {@code RequestContext.context().get(key)}. */
        CONTEXT,
        /** The item's age in hours, bucketed by {@link #ageHoursBounds()}. */
        ITEM_AGE_BUCKET,
        /** The item's popularity, bucketed by {@link #popularityBounds()}. */
        POPULARITY_BUCKET;

        /** Whether the value depends on the candidate (else it is the same for the whole request). */
        public boolean itemSide() {
            return this == ITEM_ID || this == CATEGORY || this == AUTHOR || this == ITEM_AGE_BUCKET
                    || this == POPULARITY_BUCKET;
        }
    }

    /** The dense features, each one float per row. */
    public enum DenseFeature {
        /** Dot product of the user's and the item's content embeddings (0 when the user has none). */
        CONTENT_AFFINITY,
        /** {@code ln(1 + popularity)}. */
        LOG_POPULARITY,
        /** Sum of the user's interest-tag weights over the item's tags. */
        INTEREST_MATCH,
        /** {@code exp(-ageHours / 72)}; 0 when the creation time is unknown. */
        FRESHNESS,
        /** 1 when the user has a real-time embedding, else 0. */
        HAS_USER_EMBEDDING
    }

    /**
     * One sparse field.
     *
     * @param name   unique; its hash seeds the field's ids
     * @param source where the value comes from
     * @param key    the demographics / context key for USER_ATTR and CONTEXT, else null
     */
    public record SparseField(String name, Source source, String key) {
        public SparseField {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(source, "source");
            if ((source == Source.USER_ATTR || source == Source.CONTEXT) && (key == null || key.isEmpty())) {
                throw new IllegalArgumentException("sparse field '" + name + "': source " + source + " needs a key");
            }
        }
    }

    /** A cross of two sparse fields, by name; its id hashes both ids under the cross's name. */
    public record Cross(String name, String left, String right) {
        public Cross {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    /** Default item-age bucket bounds, in hours. */
    public static final double[] DEFAULT_AGE_HOURS_BOUNDS = {1, 3, 6, 12, 24, 48, 72, 168, 336, 720};
    /** Default popularity bucket bounds (popularity is in (0, 1] in the sim world, Zipf-like). */
    public static final double[] DEFAULT_POPULARITY_BOUNDS = {0.001, 0.003, 0.01, 0.03, 0.1, 0.3};
    /** Default content embedding width (the sim world's default). */
    public static final int DEFAULT_CONTENT_DIM = 64;
    /** Default number of item-tag slots in the wide part. */
    public static final int DEFAULT_TAG_SLOTS = 4;

    /** The schema the shipped {@code ctr} model uses, with {@link #DEFAULT_CONTENT_DIM}. */
    public static final FeatureSchema DEFAULT = defaultSchema(DEFAULT_CONTENT_DIM);

    private final String name;
    private final List<SparseField> fields;
    private final List<Cross> crosses;
    private final int[] crossLeft;
    private final int[] crossRight;
    private final int tagSlots;
    private final List<DenseFeature> dense;
    private final double[] ageHoursBounds;
    private final double[] popularityBounds;
    private final int contentDim;
    private final String version;

    private FeatureSchema(Builder b) {
        this.name = b.name;
        this.fields = List.copyOf(b.fields);
        this.crosses = List.copyOf(b.crosses);
        this.tagSlots = b.tagSlots;
        this.dense = List.copyOf(b.dense);
        this.ageHoursBounds = b.ageHoursBounds.clone();
        this.popularityBounds = b.popularityBounds.clone();
        this.contentDim = b.contentDim;
        this.crossLeft = new int[crosses.size()];
        this.crossRight = new int[crosses.size()];
        for (int c = 0; c < crosses.size(); c++) {
            crossLeft[c] = fieldIndex(crosses.get(c).left());
            crossRight[c] = fieldIndex(crosses.get(c).right());
        }
        this.version = name + "@" + Long.toHexString(FeatureHash.ofString(0, canonical()));
    }

    /**
     * The default ctr schema: fields user_id, item_id, category, author, age_bucket, gender,
     * country, device (context key {@code device}), item_age, popularity; crosses
     * user×category, user×author, age_bucket×category, gender×category, country×category,
     * device×category; 4 tag slots; all five dense features.
     */
    public static FeatureSchema defaultSchema(int contentDim) {
        return builder("ctr-v1")
                .field("user_id", Source.USER_ID, null)
                .field("item_id", Source.ITEM_ID, null)
                .field("category", Source.CATEGORY, null)
                .field("author", Source.AUTHOR, null)
                .field("age_bucket", Source.USER_ATTR, "age_bucket")
                .field("gender", Source.USER_ATTR, "gender")
                .field("country", Source.USER_ATTR, "country")
                .field("device", Source.CONTEXT, "device")
                .field("item_age", Source.ITEM_AGE_BUCKET, null)
                .field("popularity", Source.POPULARITY_BUCKET, null)
                .cross("user_id", "category")
                .cross("user_id", "author")
                .cross("age_bucket", "category")
                .cross("gender", "category")
                .cross("country", "category")
                .cross("device", "category")
                .tagSlots(DEFAULT_TAG_SLOTS)
                .dense(DenseFeature.values())
                .contentDim(contentDim)
                .build();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The schema's name, e.g. {@code ctr-v1}. */
    public String name() {
        return name;
    }

    /** Name and fingerprint, e.g. {@code ctr-v1@3f2a…}: equal versions mean identical features. */
    public String version() {
        return version;
    }

    public List<SparseField> fields() {
        return fields;
    }

    public List<Cross> crosses() {
        return crosses;
    }

    public List<DenseFeature> dense() {
        return dense;
    }

    public int fieldCount() {
        return fields.size();
    }

    public int tagSlots() {
        return tagSlots;
    }

    /** Field ids, cross ids and tag slots per row. */
    public int wideCount() {
        return fields.size() + crosses.size() + tagSlots;
    }

    public int denseCount() {
        return dense.size();
    }

    /** Width of the user and item content embeddings. */
    public int contentDim() {
        return contentDim;
    }

    /** A copy of the item-age bucket bounds, hours. */
    public double[] ageHoursBounds() {
        return ageHoursBounds.clone();
    }

    /** A copy of the popularity bucket bounds. */
    public double[] popularityBounds() {
        return popularityBounds.clone();
    }

    /** The index of the named field, or -1. */
    public int fieldIndex(String fieldName) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(fieldName)) {
                return i;
            }
        }
        return -1;
    }

    int crossLeft(int c) {
        return crossLeft[c];
    }

    int crossRight(int c) {
        return crossRight[c];
    }

    double[] ageBoundsShared() {
        return ageHoursBounds;
    }

    double[] popularityBoundsShared() {
        return popularityBounds;
    }

    /** The number of bounds that are ≤ value: bucket 0 is below the first bound. */
    public static int bucketOf(double value, double[] bounds) {
        int b = 0;
        while (b < bounds.length && value >= bounds[b]) {
            b++;
        }
        return b;
    }

    private String canonical() {
        StringBuilder sb = new StringBuilder(name).append('|');
        for (SparseField f : fields) {
            sb.append(f.name()).append(':').append(f.source()).append(':').append(f.key()).append(',');
        }
        sb.append('|');
        for (Cross c : crosses) {
            sb.append(c.name()).append('=').append(c.left()).append('x').append(c.right()).append(',');
        }
        sb.append('|').append(tagSlots).append('|').append(dense).append('|')
                .append(Arrays.toString(ageHoursBounds)).append('|').append(Arrays.toString(popularityBounds))
                .append('|').append(contentDim);
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "FeatureSchema{%s, fields=%d, crosses=%d, tagSlots=%d, dense=%s, contentDim=%d}",
                version, fields.size(), crosses.size(), tagSlots, dense, contentDim);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureSchema s && s.version.equals(version);
    }

    @Override
    public int hashCode() {
        return version.hashCode();
    }

    /** Builds a {@link FeatureSchema}; validates in {@link #build()}. */
    public static final class Builder {
        private final String name;
        private final List<SparseField> fields = new ArrayList<>();
        private final List<Cross> crosses = new ArrayList<>();
        private final List<DenseFeature> dense = new ArrayList<>();
        private int tagSlots = DEFAULT_TAG_SLOTS;
        private double[] ageHoursBounds = DEFAULT_AGE_HOURS_BOUNDS;
        private double[] popularityBounds = DEFAULT_POPULARITY_BOUNDS;
        private int contentDim = DEFAULT_CONTENT_DIM;

        private Builder(String name) {
            if (name == null || name.isBlank() || name.contains("@")) {
                throw new IllegalArgumentException("schema name must be non-blank without '@', got '" + name + "'");
            }
            this.name = name;
        }

        public Builder field(String fieldName, Source source, String key) {
            fields.add(new SparseField(fieldName, source, key));
            return this;
        }

        /** A cross named {@code left×right}. */
        public Builder cross(String left, String right) {
            crosses.add(new Cross(left + "_x_" + right, left, right));
            return this;
        }

        public Builder tagSlots(int n) {
            tagSlots = n;
            return this;
        }

        public Builder dense(DenseFeature... features) {
            dense.addAll(List.of(features));
            return this;
        }

        public Builder ageHoursBounds(double... bounds) {
            ageHoursBounds = bounds.clone();
            return this;
        }

        public Builder popularityBounds(double... bounds) {
            popularityBounds = bounds.clone();
            return this;
        }

        public Builder contentDim(int dim) {
            contentDim = dim;
            return this;
        }

        public FeatureSchema build() {
            Set<String> names = new HashSet<>();
            for (SparseField f : fields) {
                if (!names.add(f.name())) {
                    throw new IllegalArgumentException("schema '" + name + "': duplicate field '" + f.name() + "'");
                }
            }
            for (Cross c : crosses) {
                if (!names.contains(c.left()) || !names.contains(c.right())) {
                    throw new IllegalArgumentException("schema '" + name + "': cross '" + c.name()
                            + "' names an unknown field; fields are " + names);
                }
            }
            if (new HashSet<>(dense).size() != dense.size()) {
                throw new IllegalArgumentException("schema '" + name + "': duplicate dense feature in " + dense);
            }
            if (tagSlots < 0 || tagSlots > 64) {
                throw new IllegalArgumentException("schema '" + name + "': tagSlots must be in 0..64, got " + tagSlots);
            }
            if (contentDim < 1) {
                throw new IllegalArgumentException("schema '" + name + "': contentDim must be >= 1, got " + contentDim);
            }
            checkAscending("ageHoursBounds", ageHoursBounds);
            checkAscending("popularityBounds", popularityBounds);
            return new FeatureSchema(this);
        }

        private void checkAscending(String what, double[] bounds) {
            for (int i = 1; i < bounds.length; i++) {
                if (!(bounds[i] > bounds[i - 1])) {
                    throw new IllegalArgumentException("schema '" + name + "': " + what + " must ascend strictly, got "
                            + Arrays.toString(bounds));
                }
            }
        }
    }
}
