package dev.funnel.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.profile.UserProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureExtractorTest {

    static final long NOW = 1_793_491_200_000L;
    static final long HOUR = 3_600_000L;

    /** A two-item catalogue. */
    static final class Items implements ItemAttributes {
        final Map<Long, Object[]> rows = new HashMap<>();

        Items add(long id, String category, String author, List<String> tags, long created, double pop, float[] emb) {
            rows.put(id, new Object[] {category, author, tags, created, pop, emb});
            return this;
        }

        @Override public String category(long id) { return rows.containsKey(id) ? (String) rows.get(id)[0] : null; }
        @Override public String author(long id) { return rows.containsKey(id) ? (String) rows.get(id)[1] : null; }
        @SuppressWarnings("unchecked")
        @Override public List<String> tags(long id) { return rows.containsKey(id) ? (List<String>) rows.get(id)[2] : List.of(); }
        @Override public long createdAtMillis(long id) { return rows.containsKey(id) ? (Long) rows.get(id)[3] : Long.MIN_VALUE; }
        @Override public double popularity(long id) { return rows.containsKey(id) ? (Double) rows.get(id)[4] : 0; }
        @Override public float[] embedding(long id) { return rows.containsKey(id) ? (float[]) rows.get(id)[5] : null; }
    }

    private final FeatureSchema schema = FeatureSchema.defaultSchema(2);
    private final Items items = new Items()
            .add(1, "c01", "a1", List.of("t1", "t2"), NOW - 2 * HOUR, 0.05, new float[] {1, 0})
            .add(2, "c01", "a2", List.of("t3"), NOW - 500 * HOUR, 0.0005, new float[] {0, 1});
    private final UserProfile user = new UserProfile("u1", Map.of("age_bucket", "25-34", "gender", "f", "country", "de"),
            Map.of("t1", 0.5, "t2", 0.25), new long[0], new float[] {0.6f, 0.8f}, 0);

    UserProfile userForTests() {
        return user;
    }

    @Test
    void rowsFollowTheSchemaLayout() {
        FeatureBatch b = new FeatureExtractor(schema).extract(user, Map.of("device", "ios"), NOW, items, new long[] {1, 2}, 2);
        assertEquals(2, b.size());
        assertEquals(schema.version(), b.schemaVersion());
        int f = schema.fieldCount();
        long userSeed = FeatureHash.fieldSeed("user_id");
        assertEquals(FeatureHash.ofString(userSeed, "u1"), b.fieldId(0, schema.fieldIndex("user_id")));
        assertEquals(b.fieldId(0, schema.fieldIndex("category")), b.fieldId(1, schema.fieldIndex("category")));
        assertNotEquals(b.fieldId(0, schema.fieldIndex("author")), b.fieldId(1, schema.fieldIndex("author")));
        assertEquals(FeatureHash.ofString(FeatureHash.fieldSeed("device"), "ios"), b.fieldId(0, schema.fieldIndex("device")));
        for (int i = 0; i < f; i++) {
            assertEquals(b.fieldId(0, i), b.wideId(0, i), "wide part starts with the field ids");
        }
        int tagStart = f + schema.crosses().size();
        assertEquals(FeatureHash.ofString(FeatureHash.fieldSeed("tag"), "t2"), b.wideId(0, tagStart + 1));
        assertEquals(FeatureBatch.EMPTY_ID, b.wideId(0, tagStart + 2));
        assertEquals(FeatureBatch.EMPTY_ID, b.wideId(1, tagStart + 1));
    }

    @Test
    void theBatchKeepsTheEmbeddingsItsFeaturesReadAndALoggedBatchHasNone() {
        FeatureBatch b = new FeatureExtractor(schema).extract(user, Map.of(), NOW, items, new long[] {2, 3, 1}, 3);
        assertTrue(b.hasItemEmbeddings());
        assertSame(items.embedding(2), b.itemEmbedding(0));
        assertNull(b.itemEmbedding(1), "unknown item");
        assertSame(items.embedding(1), b.itemEmbedding(2));
        FeatureBatch logged = FeatureBatch.of(b.schemaVersion(), b.fieldCount(), b.wideCount(), b.denseCount(), 3,
                b.itemIdArray(), b.fieldIdArray(), b.wideIdArray(), b.denseArray(), b.userEmbedding());
        assertFalse(logged.hasItemEmbeddings());
        assertThrows(IllegalStateException.class, () -> logged.itemEmbedding(0));
    }

    @Test
    void crossesDependOnBothSidesAndDifferFromTheirParts() {
        FeatureExtractor x = new FeatureExtractor(schema);
        FeatureBatch u1 = x.extract(user, Map.of(), NOW, items, new long[] {1}, 1);
        UserProfile other = new UserProfile("u2", user.demographics(), Map.of(), new long[0], null, 0);
        FeatureBatch u2 = x.extract(other, Map.of(), NOW, items, new long[] {1}, 1);
        int f = schema.fieldCount();
        int userXCategory = f; // first cross
        int genderXCategory = f + 3;
        assertNotEquals(u1.wideId(0, userXCategory), u2.wideId(0, userXCategory));
        assertEquals(u1.wideId(0, genderXCategory), u2.wideId(0, genderXCategory));
        assertNotEquals(u1.wideId(0, userXCategory), u1.fieldId(0, 0));
    }

    @Test
    void denseValuesAndBuckets() {
        FeatureBatch b = new FeatureExtractor(schema).extract(user, Map.of(), NOW, items, new long[] {1, 2, 3}, 3);
        int affinity = schema.dense().indexOf(FeatureSchema.DenseFeature.CONTENT_AFFINITY);
        int interest = schema.dense().indexOf(FeatureSchema.DenseFeature.INTEREST_MATCH);
        int fresh = schema.dense().indexOf(FeatureSchema.DenseFeature.FRESHNESS);
        int pop = schema.dense().indexOf(FeatureSchema.DenseFeature.LOG_POPULARITY);
        assertEquals(0.6f, b.dense(0, affinity), 1e-6);
        assertEquals(0.8f, b.dense(1, affinity), 1e-6);
        assertEquals(0.75f, b.dense(0, interest), 1e-6);
        assertEquals(0f, b.dense(1, interest));
        assertEquals(Math.exp(-2.0 / 72), b.dense(0, fresh), 1e-6);
        assertEquals(0f, b.dense(2, fresh), "unknown item has no age");
        assertEquals(Math.log1p(0.05), b.dense(0, pop), 1e-6);
        int age = schema.fieldIndex("item_age");
        long ageSeed = FeatureHash.fieldSeed("item_age");
        assertEquals(FeatureHash.ofLong(ageSeed, 1), b.fieldId(0, age), "2h is in bucket [1, 3)");
        assertEquals(FeatureHash.ofLong(ageSeed, 9), b.fieldId(1, age), "500h is in bucket [336, 720)");
        assertEquals(FeatureHash.ofLong(ageSeed, 11), b.fieldId(2, age), "unknown age has its own bucket");
        assertEquals(0, FeatureSchema.bucketOf(0.5, new double[] {1, 2}));
        assertEquals(2, FeatureSchema.bucketOf(2, new double[] {1, 2}));
    }

    @Test
    void versionChangesWithTheDefinitionAndNotOtherwise() {
        assertEquals(FeatureSchema.defaultSchema(2).version(), schema.version());
        assertNotEquals(FeatureSchema.defaultSchema(3).version(), schema.version());
        assertTrue(schema.version().startsWith("ctr-v1@"));
    }

    @Test
    void badSchemasAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureSchema.builder("s")
                .field("a", FeatureSchema.Source.ITEM_ID, null).cross("a", "b").build());
        assertTrue(e.getMessage().contains("cross 'a_x_b' names an unknown field"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FeatureSchema.builder("s").field("d", FeatureSchema.Source.CONTEXT, null));
        assertThrows(IllegalArgumentException.class, () -> FeatureSchema.builder("s").ageHoursBounds(3, 1).build());
    }

    @Test
    void anExtractorRefusesABatchOfAnotherSchema() {
        FeatureBatch other = new FeatureBatch(FeatureSchema.defaultSchema(3), 4);
        assertThrows(IllegalArgumentException.class, () -> new FeatureExtractor(schema)
                .extract(user, Map.of(), NOW, items, new long[] {1}, 1, other));
    }
}
