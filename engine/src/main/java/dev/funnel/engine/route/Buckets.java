package dev.funnel.engine.route;

import java.nio.charset.StandardCharsets;

/**
 * Experiment buckets: a stable hash of the user id (MurmurHash3 x86_32 of its UTF-8 bytes, seed 0)
 * reduced to {@code 0..COUNT-1}. The same user lands in the same bucket in every process and
 * every release, so an A/B split is sticky. Any thread.
 */
public final class Buckets {

    /** Buckets per scene; a route with traffic {@code p}% owns {@code p * COUNT / 100} of them. */
    public static final int COUNT = 10_000;

    private Buckets() {
    }

    /** The user's bucket, in {@code 0..COUNT-1}. */
    public static int of(String userId) {
        return Math.floorMod(murmur3(userId.getBytes(StandardCharsets.UTF_8), 0), COUNT);
    }

    /** MurmurHash3 x86_32. */
    static int murmur3(byte[] data, int seed) {
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h = seed;
        int n = data.length;
        int blocks = n & ~3;
        for (int i = 0; i < blocks; i += 4) {
            int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
            k *= c1;
            k = Integer.rotateLeft(k, 15);
            k *= c2;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int k = 0;
        switch (n & 3) {
            case 3:
                k ^= (data[blocks + 2] & 0xff) << 16;
                // fall through
            case 2:
                k ^= (data[blocks + 1] & 0xff) << 8;
                // fall through
            case 1:
                k ^= data[blocks] & 0xff;
                k *= c1;
                k = Integer.rotateLeft(k, 15);
                k *= c2;
                h ^= k;
                break;
            default:
                break;
        }
        h ^= n;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
