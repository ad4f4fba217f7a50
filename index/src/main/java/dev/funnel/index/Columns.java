package dev.funnel.index;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The forward index's columns, one array per attribute, indexed by internal ordinal. Rows are
 * append-only: the writer fills row {@code n} and only then publishes a state whose count covers
 * it, so a published row never changes and readers need no locks. An upsert writes a new row and
 * retires the old one. Growing copies into new arrays; states published before keep the old ones.
 */
final class Columns {

    final long[] ids;
    final String[] category;
    final String[] author;
    final List<String>[] tags;
    final boolean[] online;
    final long[] createdAtMillis;
    final double[] popularity;
    final float[][] embedding;
    final Map<String, Object>[] attributes;
    /** The vector graph's node for the row's embedding, or -1. */
    final int[] node;
    /**
     * What feature extraction reads of a row ({@link ItemIndex#read}), in one small object: one
     * cache miss or two per candidate where the six columns above cost six. The columns stay for
     * everything else (filters, ranked lists, single reads).
     */
    final FeatureRow[] featureRow;

    /** A row's extraction attributes together (the same values and instances as its columns). */
    record FeatureRow(String category, String author, List<String> tags, long createdAtMillis, double popularity,
                      float[] embedding) {
    }

    @SuppressWarnings("unchecked")
    Columns(int capacity) {
        ids = new long[capacity];
        category = new String[capacity];
        author = new String[capacity];
        tags = new List[capacity];
        online = new boolean[capacity];
        createdAtMillis = new long[capacity];
        popularity = new double[capacity];
        embedding = new float[capacity][];
        attributes = new Map[capacity];
        node = new int[capacity];
        featureRow = new FeatureRow[capacity];
    }

    private Columns(Columns o, int capacity) {
        ids = Arrays.copyOf(o.ids, capacity);
        category = Arrays.copyOf(o.category, capacity);
        author = Arrays.copyOf(o.author, capacity);
        tags = Arrays.copyOf(o.tags, capacity);
        online = Arrays.copyOf(o.online, capacity);
        createdAtMillis = Arrays.copyOf(o.createdAtMillis, capacity);
        popularity = Arrays.copyOf(o.popularity, capacity);
        embedding = Arrays.copyOf(o.embedding, capacity);
        attributes = Arrays.copyOf(o.attributes, capacity);
        node = Arrays.copyOf(o.node, capacity);
        featureRow = Arrays.copyOf(o.featureRow, capacity);
    }

    int capacity() {
        return ids.length;
    }

    Columns grow(int minCapacity) {
        return new Columns(this, Math.max(minCapacity, capacity() * 2));
    }

    /**
     * Writer only, for a row no published state covers yet. Category, author and tags are stored
     * as canonical (interned) strings: a catalog repeats a small vocabulary, so every row shares
     * one instance per value, whose hash is computed once; readers that hash or compare these
     * strings per request (feature extraction's id memo) then hit instead of re-hashing a fresh
     * copy from every item update.
     */
    void write(int ord, ItemRecord r) {
        ids[ord] = r.id();
        category[ord] = r.category().intern();
        author[ord] = r.author() == null ? null : r.author().intern();
        tags[ord] = interned(r.tags());
        online[ord] = r.online();
        createdAtMillis[ord] = r.createdAtMillis();
        popularity[ord] = r.popularity();
        embedding[ord] = r.embedding(); // the record's own copy; never modified
        attributes[ord] = r.attributes();
        node[ord] = -1;
        featureRow[ord] = new FeatureRow(category[ord], author[ord], tags[ord], createdAtMillis[ord], popularity[ord],
                embedding[ord]);
    }

    private static List<String> interned(List<String> tags) {
        if (tags == null || tags.isEmpty()) {
            return tags;
        }
        String[] out = new String[tags.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = tags.get(i).intern();
        }
        return List.of(out);
    }

    ItemRecord read(int ord) {
        return new ItemRecord(ids[ord], category[ord], author[ord], tags[ord], online[ord] ? ItemRecord.ONLINE : ItemRecord.OFFLINE,
                createdAtMillis[ord], popularity[ord], embedding[ord], attributes[ord]);
    }

    /** The value of a field at a row, as {@link ItemStore#attribute} returns it. */
    Object field(int ord, String field) {
        switch (field) {
            case ItemFields.ID: return ids[ord];
            case ItemFields.CATEGORY: return category[ord];
            case ItemFields.AUTHOR: return author[ord];
            case ItemFields.TAGS: return tags[ord];
            case ItemFields.STATUS: return online[ord] ? ItemRecord.ONLINE : ItemRecord.OFFLINE;
            case ItemFields.CREATED: return createdAtMillis[ord];
            case ItemFields.POPULARITY: return popularity[ord];
            case ItemFields.EMBEDDING: return embedding[ord];
            default: return attributes[ord].get(field);
        }
    }

    /** A numeric field at a row, or NaN when absent or not numeric. */
    double number(int ord, String field) {
        switch (field) {
            case ItemFields.CREATED: return createdAtMillis[ord];
            case ItemFields.POPULARITY: return popularity[ord];
            default:
                Object v = attributes[ord].get(field);
                return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }
}
