package dev.funnel.trainer;

import dev.funnel.streams.IdleBackoff;
import dev.funnel.streams.StreamAppender;
import dev.funnel.streams.StreamTailer;
import dev.funnel.streams.Topics;
import dev.funnel.streams.Transport;
import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.streams.schema.ModelDelta;
import dev.funnel.streams.schema.SchemaException;
import dev.funnel.trainer.join.ImpressionSpill;
import dev.funnel.trainer.join.JoinStats;
import dev.funnel.trainer.join.LabelJoiner;
import dev.funnel.trainer.learn.CtrLearner;
import dev.funnel.trainer.learn.Sample;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The streaming trainer loop. Each {@link #runOnce() turn}: read a batch of impressions and of feedback,
 * advance event time (the slower topic's newest timestamp, unless it has been idle), join labels, train
 * on the turn's samples in a seeded shuffled order (the join emits positives and negatives in separate
 * blocks), and publish a delta when an interval has passed: touched rows, and a dense snapshot when the
 * dense weights changed since the last one.
 *
 * <p><b>Restart without loss or repeats.</b> Right after each publish the trainer writes a checkpoint:
 * learner and join state, the input positions they reflect, and the delta version. On start it loads
 * the checkpoint, moves its tailers just after those positions (replaying what the dead trainer had
 * read but not checkpointed), and continues versions after the highest one in the delta topic, so no
 * version is published twice even when the trainer died between publishing and checkpointing.
 * Deltas carry absolute row values, so a row republished after a replay is harmless.
 *
 * <p><b>Streams reset under a kept checkpoint.</b> When a checkpointed input position is no longer in its
 * topic (the streams directory was wiped, the topic recreated, the records expired), the trainer warns,
 * naming the topic and position, and reads that topic from the start of what exists; it once refused to
 * start. Versions still continue after the checkpoint's: a replica that applied them while running would
 * refuse lower ones as duplicates, and one that starts cold applies any version (counting the gap). When
 * the delta topic holds fewer versions than the checkpoint published, replicas replaying it would miss
 * the rows those deltas carried, so the first publish is a dense snapshot with every row.
 *
 * <p><b>Bases.</b> Every {@link TrainerConfig#baseIntervalMillis()} the next publish is a base: a dense snapshot
 * with every row of every table, flagged {@link ModelDelta#base()}. A replica starts at the newest base
 * instead of replaying the topic (versions before it are not missed: the base has every row), and the
 * streams' retention deletes what precedes the second-newest one. The interval runs from the newest
 * base in the topic (found at start), so restarts neither skip nor repeat one; the republish after
 * lost versions above is a base too.
 *
 * <p><b>One trainer per checkpoint.</b> The constructor takes an OS lock on the checkpoint directory
 * ({@link CheckpointLock}) and fails naming it when another trainer of the model holds it; {@link #close()}
 * releases it.
 *
 * <p><b>Checkpoint cost.</b> The join window holds every pending impression with its features (about
 * 5.6 KB each with 10 items; 30 minutes at 16 req/s is 28,800 of them). A checkpoint writes each impression's bytes,
 * as read from the stream, once into an {@link ImpressionSpill} beside the checkpoint file and then
 * only its spill range and a few flags, so a checkpoint costs what arrived since the last one plus a
 * few dozen bytes per pending impression.
 *
 * <p><b>Event time follows the clock.</b> A record stamped more than {@link TrainerConfig#maxAheadMillis()}
 * after the trainer's clock is dropped and counted ({@link #futureRecords()}), never joined: as event
 * time it would make every real record late and expire every learned row. A checkpoint whose event
 * time is that far ahead (written before this check) is brought back to the clock when restored.
 *
 * <p>Threads: {@link #runOnce()} from one thread at a time, or {@link #start()} for a dedicated thread.
 * The getters are safe from any thread.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Trainer.class.getName());
    private static final int CHECKPOINT_MAGIC = 0x46545243; // "FTRC"
    /** 2: pending impressions live in an {@link ImpressionSpill} beside the checkpoint; 1 (still read): inline. */
    private static final int CHECKPOINT_FORMAT = 2;
    private static final int CHECKPOINT_FORMAT_INLINE = 1;
    private static final long NONE = Long.MIN_VALUE;

    private final TrainerConfig config;
    private final CtrLearner learner;
    private final OnnxExporter exporter;
    private final LongSupplier clockMillis;
    private final LabelJoiner joiner;
    private final StreamTailer impressions;
    private final StreamTailer feedback;
    private final StreamAppender deltas;
    /** Null without a checkpoint directory (then impression bytes are not kept either). */
    private final ImpressionSpill spill;
    private final List<Sample> emitted = new ArrayList<>();
    /** Orders a turn's samples; seeded, so the same input in the same turns trains the same model. */
    private final java.util.SplittableRandom shuffle = new java.util.SplittableRandom(0x5EEDL);

    private long impressionPos = NONE;
    private long feedbackPos = NONE;
    private long impressionMaxTs = Long.MIN_VALUE;
    private long feedbackMaxTs = Long.MIN_VALUE;
    private long impressionLastSeenClock;
    private long feedbackLastSeenClock;
    private long lastSparseMillis;
    private long lastDenseMillis;
    /** The dense weights of the last snapshot (or at start): the dense timer publishes only when they changed. */
    private float[][] lastDenseWeights;
    private float[][] lastDenseBiases;
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong publishedSparse = new AtomicLong();
    private final AtomicLong publishedDense = new AtomicLong();
    private final AtomicLong publishedBases = new AtomicLong();
    private final AtomicLong badRecords = new AtomicLong();
    private final AtomicLong futureRecords = new AtomicLong();
    /** Records stamped after this (the turn's clock plus maxAheadMillis) are dropped; set each turn. */
    private long aheadLimitMillis;
    /** Set when the delta topic lost versions this trainer published, or a base is due: the next publish is a base. */
    private boolean republishAllRows;
    /** When the newest base was published (this trainer's clock), or the topic's first delta when it holds none. */
    private long lastBaseMillis;
    /** The newest base's version (0: none): a base is due only when versions were published after it. */
    private long lastBaseVersion;
    /**
     * How old a delta may grow before the topic deletes it (Long.MAX_VALUE: never by age): an idle model's base is
     * republished at half this, or a replica starting after a long quiet spell would find no base at all.
     */
    private final long deltaExpiryMillis;
    /** Null without a checkpoint directory. */
    private final CheckpointLock lock;
    private final AtomicLong lastPublishMillis = new AtomicLong();
    private volatile Thread thread;
    private volatile boolean running;

    /**
     * Opens the input and output topics, restores the checkpoint if there is one and finds the last
     * published version.
     *
     * @param exporter    dense snapshot writer (ONNX)
     * @param clockMillis processing-time clock for publish intervals and idleness (injected for tests)
     */
    public Trainer(TrainerConfig config, Transport transport, CtrLearner learner, OnnxExporter exporter, LongSupplier clockMillis) {
        // First: a second trainer must fail before it reads or writes anything of the first one's.
        this.lock = config.checkpointDir() == null ? null : CheckpointLock.acquire(config.checkpointDir(), config.consumerName());
        this.config = config;
        this.learner = learner;
        this.exporter = exporter;
        this.clockMillis = clockMillis;
        this.joiner = new LabelJoiner(config.join(), learner.shape().heads(), emitted::add);
        this.impressions = transport.tailer(Topics.IMPRESSIONS, config.consumerName() + "-impressions");
        this.feedback = transport.tailer(Topics.FEEDBACK, config.consumerName() + "-feedback");
        this.deltas = transport.appender(Topics.MODEL_DELTAS);
        OptionalLong deltaExpiry = transport.expiryMillis(Topics.MODEL_DELTAS);
        this.deltaExpiryMillis = deltaExpiry.orElse(Long.MAX_VALUE);
        String expiry = basesOutliveExpiry(deltaExpiry, config.baseIntervalMillis());
        if (expiry != null) {
            LOG.warning("trainer " + config.consumerName() + ": " + expiry);
        }
        this.spill = config.checkpointDir() == null ? null
                : new ImpressionSpill(config.checkpointDir(), config.consumerName() + ".impressions");
        long now = clockMillis.getAsLong();
        long lastInTopic;
        try {
            restore();
            lastInTopic = lastPublishedVersion(transport, now);
        } catch (RuntimeException e) {
            releaseLock();
            throw e;
        }
        long checkpointed = version.get();
        if (lastInTopic < checkpointed) {
            republishAllRows = true;
            LOG.warning("trainer " + config.consumerName() + ": the checkpoint published up to v" + checkpointed
                    + " but topic " + Topics.MODEL_DELTAS + " holds " + (lastInTopic == 0 ? "none" : "up to v" + lastInTopic)
                    + " (reset or expired); continuing at v" + (checkpointed + 1) + " with every row in the first delta,"
                    + " so replicas replaying the topic get the whole model");
        }
        version.set(Math.max(checkpointed, lastInTopic));
        lastSparseMillis = now;
        lastDenseMillis = now;
        impressionLastSeenClock = now;
        feedbackLastSeenClock = now;
        // What serving already has: its bootstrap (the same weights), or this trainer's snapshots before the checkpoint.
        lastDenseWeights = learner.weights();
        lastDenseBiases = learner.biases();
    }

    /**
     * Why replicas starting later could find no base in the delta topic, or null when they always find one: the
     * topic deletes records after {@code expiryMillis} ({@link Transport#expiryMillis}), which must exceed the
     * base interval so that the newest base is still there when the next one is published. Public for serving
     * replicas, which check the same at their start when they know the trainer's interval.
     */
    public static String basesOutliveExpiry(OptionalLong expiryMillis, long baseIntervalMillis) {
        if (expiryMillis.isEmpty()) {
            return null;
        }
        long expiry = expiryMillis.getAsLong();
        if (baseIntervalMillis == 0) {
            return "topic " + Topics.MODEL_DELTAS + " deletes records after " + expiry + " ms (retention.ms) but bases are off"
                    + " (trainer.base_every_s / base.every.s = 0): a replica that starts later replays what is left and misses"
                    + " the rows of every delta deleted; publish bases more often than the retention, or keep the topic for ever";
        }
        if (expiry <= baseIntervalMillis) {
            return "topic " + Topics.MODEL_DELTAS + " deletes records after " + expiry + " ms (retention.ms) but a base is published"
                    + " every " + baseIntervalMillis + " ms (trainer.base_every_s / base.every.s): a replica that starts once the"
                    + " newest base is deleted finds none and misses every row not changed since; make the retention longer than"
                    + " the base interval (twice it leaves room for a trainer restart) or publish bases more often";
        }
        return null;
    }

    /**
     * The newest version of this model in the delta topic, read from its newest base on (versions only grow
     * along the topic); sets {@link #lastBaseMillis} to that base's time, or to the topic's first delta's (now
     * when it holds none), so a topic without a base gets one within an interval whatever the restarts.
     */
    private long lastPublishedVersion(Transport transport, long now) {
        long[] max = {0};
        long[] baseMillis = {Long.MIN_VALUE};
        long[] firstMillis = {Long.MIN_VALUE};
        try (StreamTailer t = transport.tailer(Topics.MODEL_DELTAS, config.consumerName() + "-self")) {
            t.seekToNewest(ModelDelta.baseOf(config.modelName()));
            int n;
            do {
                n = t.poll((pos, buf) -> {
                    try {
                        ModelDelta d = ModelDelta.decode(buf);
                        if (d.modelName().equals(config.modelName())) {
                            max[0] = Math.max(max[0], d.version());
                            if (d.base()) {
                                baseMillis[0] = d.createdAtMillis();
                                lastBaseVersion = d.version();
                            } else if (firstMillis[0] == Long.MIN_VALUE) {
                                firstMillis[0] = d.createdAtMillis();
                            }
                        }
                    } catch (SchemaException e) {
                        badRecords.incrementAndGet();
                    }
                }, 256);
            } while (n > 0);
        }
        lastBaseMillis = baseMillis[0] != Long.MIN_VALUE ? baseMillis[0] : firstMillis[0] != Long.MIN_VALUE ? firstMillis[0] : now;
        return max[0];
    }

    /** One turn of the loop; returns how many input records it read. */
    public int runOnce() {
        long now = clockMillis.getAsLong();
        aheadLimitMillis = now + config.maxAheadMillis();
        int ni = impressions.poll(this::onImpression, config.pollBatch());
        int nf = feedback.poll(this::onFeedback, config.pollBatch());
        if (ni > 0) {
            impressionLastSeenClock = now;
        }
        if (nf > 0) {
            feedbackLastSeenClock = now;
        }
        boolean impIdle = ni == 0 && now - impressionLastSeenClock >= config.idleAfterMillis();
        boolean fbIdle = nf == 0 && now - feedbackLastSeenClock >= config.idleAfterMillis();
        long wm;
        if (impIdle && fbIdle) {
            // Caught up on both: event time goes on with the clock, so the last negatives come due.
            long newest = Math.max(impressionMaxTs, feedbackMaxTs);
            long idleFor = now - Math.max(impressionLastSeenClock, feedbackLastSeenClock);
            wm = newest == Long.MIN_VALUE ? newest : newest + idleFor;
        } else if (impIdle) {
            wm = feedbackMaxTs;
        } else if (fbIdle) {
            wm = impressionMaxTs;
        } else {
            wm = Math.min(impressionMaxTs, feedbackMaxTs);
        }
        if (wm != Long.MIN_VALUE) {
            joiner.advanceTo(wm);
        }
        long eventNow = Math.max(impressionMaxTs, feedbackMaxTs);
        // The join emits a turn's positives at once (fast emit) and its negatives when their delay has
        // passed, so in emission order an Adam batch is all positives or all negatives and the dense
        // part swings with each block. Training the turn's samples in a shuffled order mixes them.
        shuffle(emitted);
        for (Sample s : emitted) {
            learner.train(s, eventNow);
        }
        emitted.clear();
        maybePublish(now);
        return ni + nf;
    }

    private void shuffle(List<Sample> samples) {
        for (int i = samples.size() - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            Sample t = samples.get(i);
            samples.set(i, samples.get(j));
            samples.set(j, t);
        }
    }

    private void onImpression(long pos, java.nio.ByteBuffer buf) {
        impressionPos = pos;
        try {
            byte[] bytes = null;
            if (spill != null) {
                // Kept for the checkpoint's spill: copying now is cheaper than encoding again later.
                bytes = new byte[buf.remaining()];
                buf.duplicate().get(bytes);
            }
            ImpressionLog log = ImpressionLog.decode(buf);
            if (fromTheFuture("impression", pos, log.timestampMillis())) {
                return;
            }
            impressionMaxTs = Math.max(impressionMaxTs, log.timestampMillis());
            joiner.onImpression(log, bytes);
        } catch (SchemaException e) {
            bad("impression", pos, e);
        }
    }

    private void onFeedback(long pos, java.nio.ByteBuffer buf) {
        feedbackPos = pos;
        try {
            Feedback f = Feedback.decode(buf);
            if (fromTheFuture("feedback", pos, f.timestampMillis())) {
                return;
            }
            feedbackMaxTs = Math.max(feedbackMaxTs, f.timestampMillis());
            joiner.onFeedback(f);
        } catch (SchemaException e) {
            bad("feedback", pos, e);
        }
    }

    private boolean fromTheFuture(String what, long pos, long timestampMillis) {
        if (timestampMillis <= aheadLimitMillis) {
            return false;
        }
        if (futureRecords.incrementAndGet() == 1) {
            LOG.warning("trainer " + config.consumerName() + ": dropping " + what + " at " + pos + " stamped " + timestampMillis
                    + ", more than " + config.maxAheadMillis() + " ms after the trainer's clock ("
                    + (aheadLimitMillis - config.maxAheadMillis()) + "); further ones are only counted");
        }
        return true;
    }

    private void bad(String what, long pos, SchemaException e) {
        if (badRecords.incrementAndGet() == 1) {
            LOG.log(Level.WARNING, "trainer " + config.consumerName() + ": skipping undecodable " + what + " at " + pos
                    + " (further ones are only counted)", e);
        }
    }

    private void maybePublish(long now) {
        boolean dense = now - lastDenseMillis >= config.denseIntervalMillis();
        boolean sparse = now - lastSparseMillis >= config.sparseIntervalMillis();
        // An idle model's newest base is still whole: no new base until something was published after it, or
        // until the topic would delete it by age (then the same weights again under a new version: a replica
        // starting later needs a base to start from).
        if (sparse && config.baseIntervalMillis() > 0 && now - lastBaseMillis >= config.baseIntervalMillis()
                && version.get() > lastBaseVersion) {
            republishAllRows = true;
        }
        if (sparse && config.baseIntervalMillis() > 0 && version.get() > 0 && now - lastBaseMillis >= deltaExpiryMillis / 2) {
            republishAllRows = true;
        }
        if (!dense && !sparse) {
            return;
        }
        learner.flush();
        learner.expire(Math.max(impressionMaxTs, feedbackMaxTs));
        List<ModelDelta.Rows> rows = learner.takeTouchedRows();
        int rowCount = 0;
        for (ModelDelta.Rows r : rows) {
            rowCount += r.size();
        }
        lastSparseMillis = now;
        if (dense) {
            lastDenseMillis = now;
        }
        // An unchanged snapshot would only replace what serves (and an operator's rollback) with the same weights.
        if (republishAllRows) {
            publishDense(learner.allRows(), now, true); // the touched rows taken above are among them
            republishAllRows = false;
            lastBaseMillis = now;
            lastBaseVersion = version.get();
            lastDenseMillis = now;
        } else if (dense && denseChanged()) {
            publishDense(rows, now, false);
        } else if (rowCount > 0) {
            publish(new ModelDelta(config.modelName(), version.get() + 1, ModelDelta.Kind.SPARSE, now, rows, null));
            publishedSparse.incrementAndGet();
        } else {
            return;
        }
        checkpoint();
    }

    private boolean denseChanged() {
        float[][] w = learner.weights();
        float[][] b = learner.biases();
        for (int l = 0; l < w.length; l++) {
            if (!Arrays.equals(w[l], lastDenseWeights[l]) || !Arrays.equals(b[l], lastDenseBiases[l])) {
                return true;
            }
        }
        return false;
    }

    private void publishDense(List<ModelDelta.Rows> rows, long now, boolean base) {
        float[][] w = learner.weights();
        float[][] b = learner.biases();
        lastDenseWeights = w;
        lastDenseBiases = b;
        List<ModelDelta.Rows> all = new ArrayList<>(rows);
        all.addAll(DenseRows.of(w, b));
        publish(new ModelDelta(config.modelName(), version.get() + 1, ModelDelta.Kind.DENSE, now, all, exporter.toOnnx(w, b), base));
        publishedDense.incrementAndGet();
        if (base) {
            publishedBases.incrementAndGet();
        }
    }

    /** Publishes a dense snapshot now (with rows touched since the last delta), then checkpoints. */
    public void publishDenseNow() {
        learner.flush();
        long now = clockMillis.getAsLong();
        lastDenseMillis = now;
        lastSparseMillis = now;
        publishDense(learner.takeTouchedRows(), now, false);
        checkpoint();
    }

    private void publish(ModelDelta d) {
        deltas.append(d.encode());
        deltas.flush();
        version.set(d.version());
        lastPublishMillis.set(d.createdAtMillis());
    }

    private Path checkpointFile() {
        return config.checkpointDir() == null ? null : config.checkpointDir().resolve(config.consumerName() + ".ckpt");
    }

    /** Writes the checkpoint now (also done after every publish). */
    public void checkpoint() {
        Path file = checkpointFile();
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (DataOutputStream o = new DataOutputStream(new CheckpointOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                o.writeInt(CHECKPOINT_MAGIC);
                o.writeInt(CHECKPOINT_FORMAT);
                o.writeUTF(config.modelName());
                o.writeLong(version.get());
                o.writeLong(impressionPos);
                o.writeLong(feedbackPos);
                o.writeLong(impressionMaxTs);
                o.writeLong(feedbackMaxTs);
                learner.writeState(o);
                joiner.writeState(o, spill);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            spill.committed();
        } catch (IOException e) {
            throw new UncheckedIOException("trainer " + config.consumerName() + ": cannot write checkpoint " + file, e);
        }
    }

    private void restore() {
        Path file = checkpointFile();
        if (file == null || !Files.exists(file)) {
            impressions.seekToStart();
            feedback.seekToStart();
            return;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            int magic = in.readInt();
            int format = in.readInt();
            if (magic != CHECKPOINT_MAGIC || (format != CHECKPOINT_FORMAT && format != CHECKPOINT_FORMAT_INLINE)) {
                throw new IOException("not a trainer checkpoint (magic " + Integer.toHexString(magic) + ", format " + format
                        + "; expected formats " + CHECKPOINT_FORMAT_INLINE + " or " + CHECKPOINT_FORMAT + ")");
            }
            String model = in.readUTF();
            if (!model.equals(config.modelName())) {
                throw new IOException("checkpoint is for model " + model + ", trainer for " + config.modelName());
            }
            version.set(in.readLong());
            impressionPos = in.readLong();
            feedbackPos = in.readLong();
            impressionMaxTs = in.readLong();
            feedbackMaxTs = in.readLong();
            learner.readState(in);
            if (format == CHECKPOINT_FORMAT) {
                joiner.readState(in, spill);
            } else {
                joiner.readStateInline(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("trainer " + config.consumerName() + ": cannot read checkpoint " + file, e);
        }
        repairEventTime(file);
        if (!seek(impressions, Topics.IMPRESSIONS, impressionPos, file)) {
            impressionPos = NONE;
        }
        if (!seek(feedback, Topics.FEEDBACK, feedbackPos, file)) {
            feedbackPos = NONE;
        }
    }

    /** Brings a restored event time that is far ahead of the clock (a bad timestamp got in) back to the clock. */
    private void repairEventTime(Path file) {
        long now = clockMillis.getAsLong();
        long limit = now + config.maxAheadMillis();
        long wm = joiner.watermarkMillis();
        if (impressionMaxTs <= limit && feedbackMaxTs <= limit && wm <= limit) {
            return;
        }
        LOG.warning("trainer " + config.consumerName() + ": checkpoint " + file + " has event time ahead of the clock (" + now
                + "): impressions " + impressionMaxTs + ", feedback " + feedbackMaxTs + ", watermark " + wm
                + "; moving it back to the clock (rows it expired are gone; they are learned again)");
        impressionMaxTs = Math.min(impressionMaxTs, now);
        feedbackMaxTs = Math.min(feedbackMaxTs, now);
        joiner.rewindWatermark(Math.min(wm, now));
    }

    /**
     * Moves {@code t} after the checkpointed position; when its topic no longer holds that record, warns and
     * moves to the start of what the topic holds instead.
     *
     * @return false when the position was not found
     */
    private boolean seek(StreamTailer t, String topic, long pos, Path file) {
        if (pos == NONE) {
            t.seekToStart();
            return true;
        }
        if (t.seekAfter(pos)) {
            return true;
        }
        LOG.warning("trainer " + config.consumerName() + ": checkpoint " + file + ": topic " + topic + " holds no record at position "
                + Long.toHexString(pos) + " (the streams were reset, or the records expired); reading " + topic
                + " from the start of what it holds");
        t.seekToStart();
        return false;
    }

    /** Starts a dedicated loop thread (embedded or standalone use). */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        Thread t = new Thread(() -> {
            // Parks of 0.2 ms growing to 20 ms while no record comes: at a fixed 0.2 ms an idle
            // trainer took ~10% of a core; 20 ms is nothing next to its one-second publish interval.
            IdleBackoff backoff = new IdleBackoff(200_000, 20_000_000);
            while (running) {
                int n;
                try {
                    n = runOnce();
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "trainer " + config.consumerName() + " loop failed; stopping", e);
                    running = false;
                    break;
                }
                if (n == 0) {
                    backoff.idle();
                } else {
                    backoff.reset();
                }
            }
        }, "trainer-" + config.modelName());
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Whether the loop thread of {@link #start()} is running (false before it, after {@link #close()}, or once it failed). */
    public boolean running() {
        return running;
    }

    /** The newest published delta version (0 before the first). */
    public long version() {
        return version.get();
    }

    public long publishedSparse() {
        return publishedSparse.get();
    }

    /** Dense deltas published, bases included. */
    public long publishedDense() {
        return publishedDense.get();
    }

    /** Bases published (every row of every table). */
    public long publishedBases() {
        return publishedBases.get();
    }

    /** Input records that could not be decoded. */
    public long badRecords() {
        return badRecords.get();
    }

    /** Records dropped because they were stamped too far after the trainer's clock. */
    public long futureRecords() {
        return futureRecords.get();
    }

    /** Join counters; read from the loop thread or after {@link #close()}. */
    public JoinStats joinStats() {
        return joiner.stats();
    }

    public CtrLearner learner() {
        return learner;
    }

    /**
     * Lets go of the checkpoint lock without closing anything, as the OS does when the process dies:
     * tests that simulate {@code kill -9} in one JVM call it before starting the next trainer.
     */
    void releaseLock() {
        if (lock != null) {
            lock.close();
        }
    }

    /** Stops the loop thread (if any), writes a final checkpoint, closes the tailers and releases the checkpoint lock. */
    @Override
    public void close() {
        Thread t = thread;
        running = false;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Touched-but-unpublished rows are part of the checkpoint and go out with the next delta.
        checkpoint();
        impressions.close();
        feedback.close();
        try {
            if (spill != null) {
                spill.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("trainer " + config.consumerName() + ": cannot close " + spill, e);
        } finally {
            releaseLock();
        }
    }
}
