package dev.funnel.streams.chronicle;

import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.Retention;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Transport} over Chronicle Queue: topic {@code t} lives in {@code baseDir/t}. Named tailers
 * are Chronicle named tailers, whose read index Chronicle persists in the queue's metadata on every
 * read, so {@link StreamTailer#commit()} has nothing left to do. Thread-safe.
 *
 * <p><b>Retention.</b> Topics roll to a new file every {@code rollCycle} (default hourly), except
 * {@code item-updates}, which keeps Chronicle's daily default and is never expired. With a
 * {@link Retention}, a daemon thread (never an event loop) sweeps the queues this transport opened
 * once a minute and deletes the cycle files the retention no longer keeps ({@link ChronicleRetention}).
 * A queue created before with another roll cycle keeps it (Chronicle reads it from the queue's
 * metadata and ignores the requested one); it is logged, and retention then deletes whole files of
 * that cycle.
 */
public final class ChronicleTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(ChronicleTransport.class.getName());
    /** The roll cycle of new queues: one file an hour, so retention deletes an hour at a time. */
    public static final String DEFAULT_ROLL_CYCLE = "FAST_HOURLY";
    /** How often the retention sweeper runs. */
    static final long SWEEP_INTERVAL_MILLIS = 60_000;

    static {
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
    }

    private final Path baseDir;
    private final RollCycle rollCycle;
    private final Retention retention;
    private final TimeProvider time;
    private final ChronicleRetention sweeper;
    /** Null when nothing expires or sweeps are run by hand ({@link #sweepNow()}). */
    private final ScheduledExecutorService sweeperThread;
    private final ConcurrentMap<String, SingleChronicleQueue> queues = new ConcurrentHashMap<>();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private volatile boolean closed;

    /** Opens (or creates) the topics directory with the default roll cycle and {@link Retention#DEFAULT}. */
    public ChronicleTransport(Path baseDir) {
        this(baseDir, DEFAULT_ROLL_CYCLE, Retention.DEFAULT);
    }

    /**
     * Opens (or creates) the topics directory.
     *
     * @param rollCycle a Chronicle {@link RollCycles} name for new queues, e.g. {@code FAST_HOURLY}, {@code FAST_DAILY}
     * @param retention what expires; {@link Retention#FOREVER} starts no sweeper
     */
    public ChronicleTransport(Path baseDir, String rollCycle, Retention retention) {
        this(baseDir, rollCycle(rollCycle), retention, SWEEP_INTERVAL_MILLIS, SystemTimeProvider.INSTANCE);
    }

    /** For tests: a clock for the queues and sweeper, and a sweep interval (0: only {@link #sweepNow()}). */
    ChronicleTransport(Path baseDir, RollCycle rollCycle, Retention retention, long sweepIntervalMillis, TimeProvider time) {
        try {
            this.baseDir = Files.createDirectories(baseDir);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("chronicle transport: cannot create directory " + baseDir + ": " + e, e);
        }
        this.rollCycle = rollCycle;
        this.retention = retention;
        this.time = time;
        this.sweeper = new ChronicleRetention(retention);
        if (retention.enabled() && sweepIntervalMillis > 0) {
            sweeperThread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "chronicle-retention");
                t.setDaemon(true);
                return t;
            });
            sweeperThread.scheduleWithFixedDelay(this::sweepQuietly, sweepIntervalMillis, sweepIntervalMillis, TimeUnit.MILLISECONDS);
        } else {
            sweeperThread = null;
        }
    }

    /** Parses a Chronicle roll cycle name (case-insensitive), saying which ones exist when it is none. */
    public static RollCycle rollCycle(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        for (RollCycles rc : RollCycles.values()) {
            if (rc.name().equals(n)) {
                return rc;
            }
        }
        throw new IllegalArgumentException("chronicle roll cycle must be one of " + Arrays.toString(RollCycles.values()) + ", got '" + name + "'");
    }

    /**
     * Runs one retention sweep over the queues opened so far, on the caller's thread (the sweeper
     * thread calls it every minute); returns the files deleted.
     */
    public int sweepNow() {
        int n = 0;
        synchronized (sweeper) {
            for (Map.Entry<String, SingleChronicleQueue> e : queues.entrySet()) {
                if (!closed) {
                    n += sweeper.sweep(e.getKey(), e.getValue());
                }
            }
        }
        return n;
    }

    private void sweepQuietly() {
        try {
            sweepNow();
        } catch (RuntimeException e) {
            // Next minute's sweep tries again; a queue closed under it is the transport closing.
            LOG.log(Level.WARNING, "stream retention sweep of " + baseDir + " failed", e);
        }
    }

    /** Cycle files the retention deleted. */
    public long retentionDeletedFiles() {
        return sweeper.deletedFiles();
    }

    /** Bytes of the cycle files the retention deleted (their length; sparse files took less disk). */
    public long retentionDeletedBytes() {
        return sweeper.deletedBytes();
    }

    /** Cycle files the retention could not delete (each failed try). */
    public long retentionFailures() {
        return sweeper.failures();
    }

    public Retention retention() {
        return retention;
    }

    public Path baseDir() {
        return baseDir;
    }

    SingleChronicleQueue queue(String topic) {
        if (closed) {
            throw new IllegalStateException("chronicle transport " + baseDir + " is closed");
        }
        return queues.computeIfAbsent(Topics.requireValid(topic), this::open);
    }

    private SingleChronicleQueue open(String topic) {
        // Item updates are never expired: many hourly files would buy nothing.
        RollCycle wanted = topic.equals(Topics.ITEM_UPDATES) ? RollCycles.FAST_DAILY : rollCycle;
        SingleChronicleQueue q = SingleChronicleQueueBuilder.single(baseDir.resolve(topic).toFile())
                .rollCycle(wanted).timeProvider(time).build();
        if (!q.rollCycle().equals(wanted)) {
            LOG.info("chronicle topic " + topic + " in " + baseDir + " keeps the roll cycle it was created with, " + q.rollCycle()
                    + " (asked for " + wanted + "); retention deletes whole files of that cycle");
        }
        return q;
    }

    @Override
    public StreamAppender appender(String topic) {
        ChronicleAppender a = new ChronicleAppender(queue(topic));
        register(a);
        return a;
    }

    /** Only impressions and feedback expire by age; model deltas are compacted to their bases instead. */
    @Override
    public OptionalLong expiryMillis(String topic) {
        return retention.expiresByAge(topic) ? OptionalLong.of(retention.retentionMillis()) : OptionalLong.empty();
    }

    @Override
    public StreamTailer tailer(String topic, String name) {
        if (name == null || name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("tailer name must match [A-Za-z0-9._-]+, got '" + name + "'");
        }
        ChronicleTailer t = new ChronicleTailer(queue(topic).createTailer(name), topic);
        register(t);
        return t;
    }

    private void register(AutoCloseable c) {
        synchronized (opened) {
            opened.add(c);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (sweeperThread != null) {
            sweeperThread.shutdownNow();
            try {
                // A sweep in progress finishes before its queues close.
                sweeperThread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<AutoCloseable> toClose;
        synchronized (opened) {
            toClose = new ArrayList<>(opened);
            opened.clear();
        }
        RuntimeException first = null;
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                first = first == null ? new IllegalStateException("closing chronicle transport " + baseDir, e) : first;
            }
        }
        queues.values().forEach(SingleChronicleQueue::close);
        queues.clear();
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "ChronicleTransport{baseDir=" + baseDir + ", rollCycle=" + rollCycle + ", " + retention + "}";
    }
}
