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
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.single.WriteLock;
import net.openhft.chronicle.threads.Pauser;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * <p>Each file leaves the queue under the queue's write lock, the cross-process lock Chronicle's appenders
 * hold while they write and while a new appender seals older cycles (its first write normalises the EOF
 * markers of every cycle since the last normalised one, and its constructor scans back for the last sealed
 * cycle). Chronicle checks that a cycle file exists and then opens it read-write: a file deleted in between
 * is recreated empty, and the appender waits ten seconds for a header nobody writes, holding the lock and
 * stalling every other appender of the queue, then fails or recreates the long-expired cycle. Under the
 * lock the file is only renamed (constant time, however large it is), so an appender waits at most for
 * one rename; the renamed file is deleted after the lock is released (a leftover from a crash in between
 * is deleted by the next sweep). Tailers take no lock; one that moves into a cycle just as it goes can
 * still recreate it empty and wait ten seconds, and the next sweep deletes that file again.
 *
 * <p>A deleted file that a tailer or appender still has mapped stays readable through the mapping
 * (Linux frees the space once the mapping is released), so a tailer reading it carries on to its end
 * and then to the next cycle; one positioned in a deleted cycle that is not mapped moves on to the
 * oldest remaining record, and {@code seekAfter} a position in it answers false. After deleting, the
 * queue's directory listing (the first cycle that {@code toStart} uses) is refreshed. Files that cannot
 * be deleted (Windows refuses mapped files) are counted and tried again on the next sweep.
 *
 * <p>Threads: {@link #sweep} from one thread (the transport's sweeper), never one with a document open
 * on the same queue (the write lock is not reentrant); counters from any thread.
 */
final class ChronicleRetention {

    private static final Logger LOG = Logger.getLogger(ChronicleRetention.class.getName());
    private static final String SUFFIX = SingleChronicleQueue.SUFFIX;
    /** Appended to a cycle file's name when it leaves the queue; Chronicle lists only names ending in {@link #SUFFIX}. */
    private static final String EXPIRED_SUFFIX = ".expired";
    /** How long to wait for the write lock before Chronicle's own recovery (as its appenders do: 1.5 x its 10 s timeout). */
    private static final long WRITE_LOCK_TIMEOUT_MILLIS = 15_000;

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
            s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) || p.getFileName().toString().endsWith(SUFFIX + EXPIRED_SUFFIX))
                    .forEach(files::add);
        } catch (IOException e) {
            failures.incrementAndGet();
            LOG.warning("stream retention: cannot list " + queue.file() + ": " + e);
            return 0;
        }
        int deleted = 0;
        WriteLock writeLock = null;
        try {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(EXPIRED_SUFFIX)) {
                    deleted += delete(p) ? 1 : 0; // renamed by a sweep that did not get to delete it
                    continue;
                }
                long cycle;
                try {
                    cycle = names.toLong(p.toFile());
                } catch (RuntimeException e) {
                    continue; // not a cycle file of this roll cycle (someone else's file): not ours to delete
                }
                if (cycle >= floor) {
                    continue;
                }
                if (writeLock == null) {
                    writeLock = new TableStoreWriteLock(queue.metaStore(), Pauser::balanced, WRITE_LOCK_TIMEOUT_MILLIS);
                }
                Path expired = p.resolveSibling(name + EXPIRED_SUFFIX);
                if (takeOut(writeLock, p, expired) && delete(expired)) {
                    deleted++;
                }
            }
        } finally {
            if (writeLock != null) {
                writeLock.close();
            }
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
            LOG.info("stream retention: deleted " + deleted + " cycle file(s) of topic " + topic + " before cycle " + floor);
        }
        return deleted;
    }

    /**
     * Renames a cycle file out of the queue while holding the queue's write lock, so that no appender is
     * between Chronicle's existence check and its open of that file; false when it is gone already or
     * cannot be renamed (counted, tried again next sweep).
     */
    private boolean takeOut(WriteLock writeLock, Path cycleFile, Path expired) {
        writeLock.lock();
        try {
            Files.move(cycleFile, expired, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            failed(cycleFile, e);
            return false;
        } finally {
            writeLock.unlock();
        }
    }

    /** Deletes a file already out of the queue (no lock: Chronicle does not see it), counting it. */
    private boolean delete(Path expired) {
        try {
            long size = Files.size(expired);
            if (Files.deleteIfExists(expired)) {
                deletedFiles.incrementAndGet();
                deletedBytes.addAndGet(size);
                return true;
            }
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            failed(expired, e);
        }
        return false;
    }

    private void failed(Path p, IOException e) {
        if (failures.incrementAndGet() == 1) {
            LOG.warning("stream retention: cannot delete " + p + " (tried again each sweep; further failures are only counted): " + e);
        }
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
