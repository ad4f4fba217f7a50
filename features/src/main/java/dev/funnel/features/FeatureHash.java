package dev.funnel.features;

/**
 * Hashing of sparse feature values into 63-bit non-negative feature ids. The id of a value depends
 * on its field's name and the value only (never on a field's position), so ids stay stable when a
 * schema gains fields. Pure functions, any thread, no allocation.
 *
 * <p>Strings hash by UTF-16 code unit with FNV-1a 64 and a murmur3 finaliser; longs by the
 * finaliser alone. Trainer and server must use exactly these functions (they do: both call this
 * class through {@link FeatureExtractor}).
 */
public final class FeatureHash {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private FeatureHash() {
    }

    /** The seed of a field: a hash of its name. */
    public static long fieldSeed(String fieldName) {
        return fmix64(fnv(FNV_OFFSET, fieldName));
    }

    /** The feature id of a string value in a field. */
    public static long ofString(long fieldSeed, CharSequence value) {
        return fmix64(fnv(FNV_OFFSET ^ fieldSeed, value) + fieldSeed) & Long.MAX_VALUE;
    }

    /** The feature id of a numeric value (an item id, a bucket index) in a field. */
    public static long ofLong(long fieldSeed, long value) {
        return fmix64(value * 0x9e3779b97f4a7c15L + fieldSeed) & Long.MAX_VALUE;
    }

    /** The feature id of the cross of two feature ids (order matters) under a cross's seed. */
    public static long cross(long crossSeed, long a, long b) {
        return fmix64(fmix64(a + crossSeed) ^ (b * 0xc2b2ae3d27d4eb4fL)) & Long.MAX_VALUE;
    }

    private static long fnv(long h, CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            h ^= s.charAt(i);
            h *= FNV_PRIME;
        }
        return h;
    }

    /** MurmurHash3's 64-bit finaliser: a bijection with good avalanche. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
