package dev.funnel.exposure;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The shared store: the same windowed, segmented, blocked Bloom filters as the in-process store,
 * as plain Redis strings used as bit arrays (no modules), each with a TTL a window past its
 * retention. Keys of a user share a hash tag ({@code fx:{u42}:l:20412:0}), so a cluster keeps them
 * on one shard.
 *
 * <p>A lookup is one round trip: one {@code MGET} of every segment key a kept window may have
 * (absent keys answer nil); the filters come back whole (bytes proportional to the user's
 * exposures, tens of KiB for 10,000) and every candidate is probed here, exactly as in process.
 * Asking Redis for each candidate's words instead ({@code BITFIELD_RO … GET}) costs two
 * sub-commands per candidate per segment, far slower for thousands of candidates. A record is
 * {@code INCRBY} on the window's counter
 * (whose result places the items in segments, consistently across replicas) then one
 * {@code BITFIELD … SET u1} per touched segment, each with {@code PEXPIRE}. Non-blocking: futures
 * complete on the client's event loop. Lookups not answered in
 * {@link ExposureConfig#redisTimeoutMillis()} fail open.
 */
final class RedisExposureStore implements ExposureStore {

    private static final Logger LOG = System.getLogger(RedisExposureStore.class.getName());
    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] U1 = "u1".getBytes(StandardCharsets.US_ASCII);

    private final Redis redis;
    private final ExposureConfig config;
    private final BloomLayout longTerm;
    private final BloomLayout shortTerm;
    private final LongSupplier clockMillis;
    private final ExposureMetrics metrics = new ExposureMetrics(() -> 0L);
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    RedisExposureStore(Vertx vertx, ExposureConfig config, LongSupplier clockMillis) {
        this.config = config;
        this.longTerm = BloomLayout.longTerm(config);
        this.shortTerm = BloomLayout.shortTerm(config);
        this.clockMillis = clockMillis;
        this.redis = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(config.redisUrl())
                .setMaxPoolSize(config.redisPoolSize())
                .setMaxPoolWaiting(config.redisPoolSize() * 64)
                .setMaxWaitingHandlers(4096));
    }

    private String key(String user, char kind, long window) {
        return config.redisKeyPrefix() + ":{" + user + "}:" + kind + ':' + window;
    }

    @Override
    public CompletionStage<SeenRows> seen(String userId, long[] itemIds, int n) {
        metrics.checks.increment();
        metrics.itemsChecked.add(n);
        if (n == 0) {
            return Future.succeededFuture(new SeenRows(new long[0], 0, false)).toCompletionStage();
        }
        long now = clockMillis.getAsLong();
        long[] hashes = new long[n];
        long[] masks1 = new long[n];
        long[] masks2 = new long[n];
        longTerm.hash(itemIds, n, hashes, masks1, masks2);
        // One round trip: every segment key a kept window may have (absent ones answer nil, cheaply);
        // the filters come back whole (a heavy user's month is tens of KiB) and are probed here.
        Request mget = Request.cmd(Command.MGET);
        addSegmentKeys(mget, userId, 's', shortTerm, now);
        addSegmentKeys(mget, userId, 'l', longTerm, now);
        Future<SeenRows> answer = redis.send(mget).map(reply -> {
            long[] bits = new long[SeenRows.words(n)];
            int r = probe(reply, 0, shortTerm, hashes, masks1, masks2, n, bits);
            probe(reply, r, longTerm, hashes, masks1, masks2, n, bits);
            return new SeenRows(bits, n, false);
        });
        return answer.timeout(config.redisTimeoutMillis(), TimeUnit.MILLISECONDS)
                .map(rows -> {
                    metrics.itemsSeen.add(rows.seenCount());
                    if (failing.compareAndSet(true, false)) {
                        LOG.log(Level.INFO, "exposure lookups reach Redis at {0} again", config.redisUrl());
                    }
                    return rows;
                })
                .recover(err -> {
                    metrics.failOpen.increment();
                    if (failing.compareAndSet(false, true)) {
                        LOG.log(Level.WARNING, "exposure lookups fail open: Redis at " + config.redisUrl() + " did not answer", err);
                    }
                    return Future.succeededFuture(SeenRows.failOpen(n));
                })
                .toCompletionStage();
    }

    private void addSegmentKeys(Request mget, String userId, char kind, BloomLayout layout, long now) {
        long current = layout.windowIndex(now);
        for (int s = 0; s < BloomLayout.MAX_SEGMENTS; s++) {
            for (int w = 0; w < layout.windowsKept; w++) {
                mget.arg(key(userId, kind, current - w) + ':' + s);
            }
        }
    }

    /**
     * Probes the segments of one layout, laid out in the reply as {@link #addSegmentKeys} asked for
     * them (segment-major), marking seen rows with the in-process kernels ({@link FilterProbes}):
     * each present key is first read into a {@code long[]} of the segment's size. Returns the reply
     * index after this layout's keys.
     */
    private static int probe(Response reply, int from, BloomLayout layout, long[] hashes, long[] masks1, long[] masks2,
                             int n, long[] bits) {
        int r = from;
        long[][] arrays = new long[layout.windowsKept][];
        for (int s = 0; s < BloomLayout.MAX_SEGMENTS; s++) {
            int words = layout.words(s);
            int a = 0;
            for (int w = 0; w < layout.windowsKept; w++) {
                Response seg = reply.get(r++);
                if (seg != null) {
                    arrays[a++] = words(seg.toBuffer(), words);
                }
            }
            if (a == 1) {
                FilterProbes.probeOne(arrays[0], hashes, masks1, masks2, n, bits);
            } else if (a > 1) {
                FilterProbes.probeMany(arrays, a, words, hashes, masks1, masks2, n, bits);
            }
        }
        return r;
    }

    /**
     * A Redis bit string as filter words: big-endian, so bit j of word i is Redis bit offset
     * {@code 64 * i + 63 - j}, as written by {@link #setBits}. Redis strings end at their last set
     * byte: missing bytes are zeros.
     */
    private static long[] words(Buffer b, int words) {
        long[] out = new long[words];
        int len = Math.min(b.length(), words * 8);
        int full = len >>> 3;
        for (int i = 0; i < full; i++) {
            out[i] = b.getLong(i << 3);
        }
        for (int at = full << 3; at < len; at++) {
            out[full] |= (long) (b.getByte(at) & 0xFF) << (8 * (7 - (at & 7)));
        }
        return out;
    }

    @Override
    public CompletionStage<Void> recordServed(String userId, long[] itemIds, int n) {
        return record(userId, itemIds, n, shortTerm, 's');
    }

    @Override
    public CompletionStage<Void> recordExposed(String userId, long[] itemIds, int n) {
        return record(userId, itemIds, n, longTerm, 'l');
    }

    private CompletionStage<Void> record(String userId, long[] itemIds, int n, BloomLayout layout, char kind) {
        if (n == 0) {
            metrics.writes.increment();
            return Future.<Void>succeededFuture().toCompletionStage();
        }
        long now = clockMillis.getAsLong();
        long window = layout.windowIndex(now);
        // Kept one window past retention, so a reader on a slightly late clock still finds it.
        long ttlMillis = Math.max(1, (window + layout.windowsKept + 1) * layout.windowMillis - now);
        long[] hashes = new long[n];
        long[] masks1 = new long[n];
        long[] masks2 = new long[n];
        layout.hash(itemIds, n, hashes, masks1, masks2);
        String base = key(userId, kind, window);
        List<Request> count = List.of(
                Request.cmd(Command.INCRBY).arg(base + ":n").arg(n),
                Request.cmd(Command.PEXPIRE).arg(base + ":n").arg(ttlMillis));
        Future<Void> done = redis.batch(count).compose(replies -> {
            long first = replies.get(0).toLong() - n;
            List<Request> writes = new ArrayList<>();
            int i = 0;
            while (i < n) {
                int s = layout.segmentOf(first + i);
                int words = layout.words(s);
                String segKey = base + ':' + s;
                Request r = Request.cmd(Command.BITFIELD).arg(segKey);
                while (i < n && layout.segmentOf(first + i) == s) {
                    setBits(r, 64L * BloomLayout.wordIndex(hashes[i], words), masks1[i]);
                    setBits(r, 64L * BloomLayout.wordIndex2(hashes[i], words), masks2[i]);
                    i++;
                }
                writes.add(r);
                writes.add(Request.cmd(Command.PEXPIRE).arg(segKey).arg(ttlMillis));
            }
            return redis.batch(writes).<Void>mapEmpty();
        }).onSuccess(v -> metrics.writes.increment()).recover(err -> {
            metrics.writeFailures.increment();
            if (failing.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "exposure writes fail: Redis at " + config.redisUrl() + " did not answer", err);
            }
            return Future.succeededFuture();
        });
        return done.toCompletionStage();
    }

    /** Redis numbers bits from the most significant bit of the first byte; GET i64 reads them back in that order. */
    private static void setBits(Request r, long wordBit, long mask) {
        for (long m = mask; m != 0; m &= m - 1) {
            r.arg(SET).arg(U1).arg(wordBit + 63 - Long.numberOfTrailingZeros(m)).arg(1L);
        }
    }

    @Override
    public ExposureMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            redis.close();
        }
    }
}
