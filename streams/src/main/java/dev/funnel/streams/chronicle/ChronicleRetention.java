package dev.funnel.streams.chronicle;

import dev.funnel.streams.Retention;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.streams.schema.SchemaException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Deletes whole rolled cycle files of a Chronicle queue that the {@link Retention} no longer keeps: by
 * age for impressions and feedback (a cycle whose every record is older than the retention), and for
 * model deltas every cycle before the one holding the second-newest base of each model (a replica
 * starts at the newest base; the second-newest stays for one that found it just before a newer came).
 * Never the queue's current cycle nor its newest cycle file (however old: an appender rolling over
 * seals it), never item updates.
 *
 * <p>A deleted file that a tailer or appender still has mapped stays readable through the mapping
 * (Linux frees the space once the mapping is released), so a tailer reading it carries on to its end
 * and then to the next cycle; one positioned in a deleted cycle that is not mapped moves on to the
 * oldest remaining record, and {@code seekAfter} a position in it answers false. After deleting, the
 * queue's directory listing (the first cycle that {@code toStart} uses) is refreshed. Files that cannot
 * be deleted (Windows refuses mapped files) are counted and tried again on the next sweep.
 *
 * <p>Threads: {@link #sweep} from one thread (the transport's sweeper); counters from any thread.
 */
final class ChronicleRetention {

    private static final Logger LOG = Logger.getLogger(ChronicleRetention.class.getName());
    private static final String SUFFIX = SingleChronicleQueue.SUFFIX;

    private final Retention retention;
    private final AtomicLong deletedFiles = new AtomicLong();
    private final AtomicLong deletedBytes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    ChronicleRetention(Retention retention) {
        this.retention = retention;
    }

    /** Deletes what {@code queue} of {@code topic} need not keep at {@code nowMillis}; returns the files deleted. */
    int sweep(String topic, SingleChronicleQueue queue) {
        int floor;
        if (retention.expiresByAge(topic)) {
            floor = ageFloorCycle(queue, queue.time().currentTimeMillis() - retention.retentionMillis());
        } else if (retention.compactsToBases(topic)) {
            floor = baseFloorCycle(queue);
        } else {
            return 0;
        }
        // Never the newest cycle file, however old: an appender rolling to a new cycle opens the queue's last
        // cycle to seal it, and Chronicle fails (a NullPointerException in 5.27) when that file is gone. The
        // listing is refreshed first so that the last cycle includes files other appenders just created.
        queue.refreshDirectoryListing();
        floor = Math.min(floor, Math.min(queue.cycle(), queue.lastCycle()));
        RollCycle rc = queue.rollCycle();
        RollingResourcesCache names = new RollingResourcesCache(rc, queue.epoch(),
                name -> new File(queue.file(), name + SUFFIX), f -> f.getName().substring(0, f.getName().length() - SUFFIX.length()));
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(queue.file().toPath())) {
            s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(files::add);
        } catch (IOException e) {
            failures.incrementAndGet();
            LOG.warning("stream retention: cannot list " + queue.file() + ": " + e);
            return 0;
        }
        int deleted = 0;
        for (Path p : files) {
            long cycle;
            try {
                cycle = names.toLong(p.toFile());
            } catch (RuntimeException e) {
                continue; // not a cycle file of this roll cycle (someone else's file): not ours to delete
            }
            if (cycle >= floor) {
                continue;
            }
            try {
                long size = Files.size(p);
                if (Files.deleteIfExists(p)) {
                    deleted++;
                    deletedFiles.incrementAndGet();
                    deletedBytes.addAndGet(size);
                }
            } catch (IOException e) {
                if (failures.incrementAndGet() == 1) {
                    LOG.warning("stream retention: cannot delete " + p + " (tried again each sweep; further failures are only counted): " + e);
                }
            }
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
            LOG.info("stream retention: deleted " + deleted + " cycle file(s) of topic " + topic + " before cycle " + floor);
        }
        return deleted;
    }

    /** The first cycle that holds a record newer than {@code cutoffMillis}: every cycle before it ended by the cutoff. */
    private static int ageFloorCycle(SingleChronicleQueue queue, long cutoffMillis) {
        long len = queue.rollCycle().lengthInMillis();
        return (int) Math.max(Integer.MIN_VALUE, Math.floorDiv(cutoffMillis - queue.epoch(), len));
    }

    /**
     * The cycle of the oldest of the models' second-newest bases, scanning back from the end until every
     * model seen has two; {@code Integer.MIN_VALUE} (delete nothing) when some model has fewer.
     */
    private static int baseFloorCycle(SingleChronicleQueue queue) {
        Map<String, Integer> bases = new HashMap<>();
        long floorIndex = Long.MAX_VALUE;
        int modelsShort = 0;
        byte[] buf = new byte[4096];
        try (ExcerptTailer t = queue.createTailer()) {
            t.direction(TailerDirection.BACKWARD).toEnd();
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    if (dc.isMetaData()) {
                        continue;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    int len = (int) bytes.readRemaining();
                    if (len > buf.length) {
                        buf = new byte[len];
                    }
                    bytes.read(buf, 0, len);
                    ModelDelta d;
                    try {
                        d = ModelDelta.decode(ByteBuffer.wrap(buf, 0, len));
                    } catch (SchemaException e) {
                        continue;
                    }
                    Integer seen = bases.get(d.modelName());
                    if (seen == null) {
                        seen = 0;
                        modelsShort++;
                    }
                    if (d.base() && seen < 2) {
                        bases.put(d.modelName(), seen + 1);
                        if (seen + 1 == 2) {
                            modelsShort--;
                            floorIndex = Math.min(floorIndex, dc.index());
                            if (modelsShort == 0) {
                                break;
                            }
                        }
                    } else {
                        bases.putIfAbsent(d.modelName(), seen);
                    }
                }
            }
        }
        if (modelsShort > 0 || floorIndex == Long.MAX_VALUE) {
            return Integer.MIN_VALUE;
        }
        return queue.rollCycle().toCycle(floorIndex);
    }

    long deletedFiles() {
        return deletedFiles.get();
    }

    long deletedBytes() {
        return deletedBytes.get();
    }

    long failures() {
        return failures.get();
    }
}
