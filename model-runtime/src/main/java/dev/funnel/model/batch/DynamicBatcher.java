package dev.funnel.model.batch;

import dev.funnel.model.ModelLease;
import dev.funnel.model.ModelSession;
import dev.funnel.model.ModelSignature;
import dev.funnel.model.registry.ModelRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches scoring rows from many event loops into one inference per batch for one named model.
 * Producers {@link #offer} tasks into a bounded MPSC queue (JCTools); one runner thread drains it.
 * With {@link BatcherConfig#dispatchWhenIdle()} (the default) a free runner runs whatever is queued
 * at once, up to {@code maxBatchRows}: rows that arrive during an inference form the next batch, so
 * batches grow with load and a lone request never waits. Otherwise the runner runs a batch once
 * {@code maxBatchRows} rows are queued or {@code maxQueueDelayMicros} has passed since the oldest
 * arrived. A task that runs alone on direct buffers goes to the backend without a copy; a task with
 * a {@link RowWriter} has its rows written into the batch's buffers by the runner, just before the
 * inference (by the core that then reads them, and never for a task dropped first).
 * Before inference it drops tasks that were cancelled or whose
 * deadline passed. Each batch runs on one leased model version, so every row of a task — and of
 * the batch — is scored by exactly one version.
 *
 * <p>Metrics (tag {@code model}): {@code funnel.batcher.batch.rows} (batch size),
 * {@code funnel.batcher.queue.delay} (oldest arrival → batch start),
 * {@code funnel.batcher.inference} (run time), {@code funnel.batcher.rows.dropped}
 * ({@code reason=deadline|cancelled}), {@code funnel.batcher.rows.rejected} (queue full),
 * {@code funnel.batcher.rows.failed} (inference errors).
 *
 * <p>Threads: {@link #offer} from any thread (event loops); everything else runs on the runners:
 * {@link BatcherConfig#runners()} threads (default one) that each take the next batch off the
 * queue and run it, so with several, batches run side by side (like as many callers of the model
 * would), each on one leased version.
 */
public final class DynamicBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);
    /** Longest real-time park while waiting, so an injected clock is re-read often. */
    private static final long MAX_PARK_NANOS = 200_000;
    /**
     * An idle runner's park: a submitter unparks it, so this is only a safety net. (It was 1 ms: an idle
     * runner woke 1,000 times a second for nothing.)
     */
    private static final long IDLE_PARK_NANOS = 50_000_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean THREAD_CPU = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

    private final String model;
    private final ModelRegistry registry;
    private final BatcherConfig config;
    private final LongSupplier clockNanos;
    private final long maxDelayNanos;
    private final MessagePassingQueue<ScoringTask> queue;
    private final Runner[] runners;
    private volatile boolean running = true;

    private final DistributionSummary batchRows;
    private final Timer queueDelay;
    private final Timer inference;
    private final Counter droppedDeadline;
    private final Counter droppedCancelled;
    private final Counter rejected;
    private final Counter failed;
    private final Counter runnerCpu;

    /**
     * Starts the runner thread.
     *
     * @param model      the registry name of the model to run
     * @param clockNanos the clock deadlines and delays are measured on ({@code System::nanoTime}
     *                   in production, virtual time in tests)
     */
    public DynamicBatcher(String model, ModelRegistry registry, BatcherConfig config, LongSupplier clockNanos,
                          MeterRegistry meters) {
        this.model = model;
        this.registry = registry;
        this.config = config;
        this.clockNanos = clockNanos;
        this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(config.maxQueueDelayMicros());
        this.queue = config.runners() == 1 ? new MpscArrayQueue<>(config.queueCapacity())
                : new MpmcArrayQueue<>(config.queueCapacity());
        this.batchRows = DistributionSummary.builder("funnel.batcher.batch.rows").tag("model", model)
                .description("rows per inference batch").publishPercentileHistogram().register(meters);
        this.queueDelay = Timer.builder("funnel.batcher.queue.delay").tag("model", model)
                .description("oldest row's wait before its batch ran").publishPercentileHistogram().register(meters);
        this.inference = Timer.builder("funnel.batcher.inference").tag("model", model)
                .description("inference time per batch").publishPercentileHistogram().register(meters);
        this.droppedDeadline = dropped(model, "deadline", meters);
        this.droppedCancelled = dropped(model, "cancelled", meters);
        this.rejected = Counter.builder("funnel.batcher.rows.rejected").tag("model", model)
                .description("rows refused at the door because the batcher queue was full").register(meters);
        this.failed = Counter.builder("funnel.batcher.rows.failed").tag("model", model)
                .description("rows whose inference failed: input shape does not fit the live version, the backend threw,"
                        + " or writing the row's inputs threw").register(meters);
        this.runnerCpu = Counter.builder("funnel.batcher.cpu").tag("model", model).baseUnit("seconds")
                .description("runner CPU time per batch: input assembly, inference, completing the tasks").register(meters);
        this.runners = new Runner[config.runners()];
        for (int i = 0; i < runners.length; i++) {
            runners[i] = new Runner();
            Thread t = new Thread(runners[i], runners.length == 1 ? "batcher-" + model : "batcher-" + model + "-" + i);
            t.setDaemon(true);
            runners[i].thread = t;
        }
        for (Runner r : runners) {
            r.thread.start();
        }
    }

    private static Counter dropped(String model, String reason, MeterRegistry meters) {
        return Counter.builder("funnel.batcher.rows.dropped").tag("model", model).tag("reason", reason)
                .description("rows taken off the queue without inference: deadline (the request's deadline passed while"
                        + " queued), cancelled (the request gave up first)").register(meters);
    }

    /** The model this batcher runs. */
    public String model() {
        return model;
    }

    public BatcherConfig config() {
        return config;
    }

    /**
     * Queues a task. Never blocks.
     *
     * @return false when the queue is full or the batcher is closed: the task was not queued and
     *         its future is failed with {@link BatchException.Reason#QUEUE_FULL} / {@code CLOSED}
     */
    public boolean offer(ScoringTask task) {
        if (!running) {
            task.fail(new BatchException(BatchException.Reason.CLOSED, "batcher for '" + model + "' is closed"));
            return false;
        }
        task.enqueuedNanos = clockNanos.getAsLong();
        if (!queue.offer(task)) {
            rejected.increment(task.rows);
            task.fail(new BatchException(BatchException.Reason.QUEUE_FULL, "batcher queue for '" + model + "' is full ("
                    + config.queueCapacity() + " tasks)"));
            return false;
        }
        for (Runner r : runners) {
            if (r.parked.get()) {
                LockSupport.unpark(r.thread); // one idle runner is enough to take it
                break;
            }
        }
        return true;
    }

    /** Tasks queued now (approximate). */
    public int queuedTasks() {
        return queue.size();
    }

    /** Stops the runner; queued tasks fail with {@link BatchException.Reason#CLOSED}. Waits for the runner. */
    @Override
    public void close() {
        running = false;
        for (Runner r : runners) {
            LockSupport.unpark(r.thread);
        }
        try {
            for (Runner r : runners) {
                r.thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        BatchException closed = new BatchException(BatchException.Reason.CLOSED, "batcher for '" + model + "' is closed");
        for (Runner r : runners) {
            if (r.carry != null) {
                r.carry.fail(closed);
            }
        }
        ScoringTask t;
        while ((t = queue.poll()) != null) {
            t.fail(closed);
        }
    }

    // ---- runners ----

    /** One runner thread and its state; several share the queue when {@code runners > 1}. */
    private final class Runner implements Runnable {

        private final AtomicBoolean parked = new AtomicBoolean();
        private final List<ScoringTask> batch = new ArrayList<>();
        private ScoringTask carry;
        private FloatBuffer[] inBuffers = new FloatBuffer[0];
        private float[][] outArrays = new float[0][];
        private Thread thread;

        @Override
        public void run() {
            runLoop();
        }

        private void runLoop() {
            while (running) {
                try {
                    ScoringTask first = carry != null ? carry : queue.poll();
                    carry = null;
                    if (first == null) {
                        park(IDLE_PARK_NANOS);
                        continue;
                    }
                    collect(first);
                    long cpu = threadCpuNanos();
                    runBatch();
                    if (cpu >= 0) {
                        runnerCpu.increment((threadCpuNanos() - cpu) / 1e9);
                    }
                } catch (RuntimeException | Error e) {
                    // A bug, not an inference failure (those fail their tasks): fail the batch, keep serving.
                    LOG.error("batcher '{}' runner failed; failing {} tasks", model, batch.size(), e);
                    for (ScoringTask t : batch) {
                        t.fail(e);
                    }
                } finally {
                    batch.clear();
                }
            }
        }

        private void collect(ScoringTask first) {
            batch.add(first);
            int rows = first.rows;
            long flushAt = first.enqueuedNanos + maxDelayNanos;
            while (rows < config.maxBatchRows() && running) {
                ScoringTask t = queue.poll();
                if (t != null) {
                    if (rows + t.rows > config.maxBatchRows()) {
                        carry = t;
                        return;
                    }
                    batch.add(t);
                    rows += t.rows;
                    continue;
                }
                if (config.dispatchWhenIdle()) {
                    return; // the runner is free and nothing more is queued: waiting would only add latency
                }
                long wait = flushAt - clockNanos.getAsLong();
                if (wait <= 0) {
                    return;
                }
                park(Math.min(wait, MAX_PARK_NANOS));
            }
        }

        private void park(long nanos) {
            parked.set(true);
            if (queue.isEmpty() && running) {
                LockSupport.parkNanos(this, nanos);
            }
            parked.set(false);
        }

        private void runBatch() {
            long now = clockNanos.getAsLong();
            int rows = 0;
            int live = 0;
            long oldest = Long.MAX_VALUE;
            for (int i = 0; i < batch.size(); i++) {
                ScoringTask t = batch.get(i);
                if (t.cancelled) {
                    droppedCancelled.increment(t.rows);
                    t.fail(new BatchException(BatchException.Reason.CANCELLED, "cancelled before inference"));
                } else if (now - t.deadlineNanos > 0) {
                    droppedDeadline.increment(t.rows);
                    t.fail(new BatchException(BatchException.Reason.DEADLINE, "deadline passed after "
                            + (now - t.enqueuedNanos) / 1000 + " µs in the queue"));
                } else {
                    batch.set(live++, t);
                    rows += t.rows;
                    oldest = Math.min(oldest, t.enqueuedNanos);
                }
            }
            batch.subList(live, batch.size()).clear(); // the dropped tasks' slots
            if (live == 0) {
                return;
            }
            queueDelay.record(now - oldest, TimeUnit.NANOSECONDS);
            ModelLease lease = registry.acquire(model);
            if (lease == null) {
                failAll(new BatchException(BatchException.Reason.NO_MODEL, "no live version of model '" + model + "'"));
                return;
            }
            try {
                runOn(lease, rows);
            } finally {
                lease.close();
            }
        }

        private void runOn(ModelLease lease, int rows) {
            ModelSession session = lease.session();
            ModelSignature sig = session.signature();
            int nIn = sig.inputs().size();
            int nOut = sig.outputs().size();
            int[] inW = new int[nIn];
            for (int i = 0; i < nIn; i++) {
                inW[i] = sig.inputs().get(i).width();
            }
            // Drop tasks whose shape does not fit this version's inputs.
            int live = 0;
            for (int k = 0; k < batch.size(); k++) {
                ScoringTask t = batch.get(k);
                String bad = checkShape(t, inW);
                if (bad != null) {
                    rows -= t.rows;
                    failed.increment(t.rows);
                    t.fail(new BatchException(BatchException.Reason.BAD_INPUT, bad));
                } else {
                    batch.set(live++, t);
                }
            }
            batch.subList(live, batch.size()).clear(); // the dropped tasks' slots
            if (live == 0) {
                return;
            }
            ensureBuffers(sig, rows);
            FloatBuffer[] feed = inBuffers;
            if (live == 1 && batch.get(0).buffers != null) {
                feed = batch.get(0).buffers; // alone in the batch: no copy (the backend reads [0, rows × width))
            } else {
                rows = gather(nIn, inW);
                if (rows == 0) {
                    return;
                }
            }
            long start = System.nanoTime();
            try {
                session.run(rows, feed, outArrays);
            } catch (Exception e) {
                failed.increment(rows);
                LOG.warn("batcher '{}': inference on {} rows with version '{}' failed: {}", model, rows, lease.version(), e.getMessage());
                failAll(e);
                return;
            }
            inference.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            batchRows.record(rows);
            int offset = 0;
            for (ScoringTask t : batch) {
                float[][] outs = new float[nOut][];
                for (int o = 0; o < nOut; o++) {
                    int w = sig.outputs().get(o).width();
                    outs[o] = new float[t.rows * w];
                    System.arraycopy(outArrays[o], offset * w, outs[o], 0, t.rows * w);
                }
                offset += t.rows;
                t.complete(new Scores(lease.version(), t.rows, outs));
            }
        }

        /**
         * Puts every task's rows into the runner's input buffers, in batch order: arrays and buffers
         * copied, writers writing their own. A writer that throws fails its task alone; the tasks after
         * it take its rows. Returns the rows gathered.
         */
        private int gather(int nIn, int[] inW) {
            for (int i = 0; i < nIn; i++) {
                inBuffers[i].clear();
            }
            int offset = 0;
            int live = 0;
            for (int k = 0; k < batch.size(); k++) {
                ScoringTask t = batch.get(k);
                if (t.writer != null) {
                    try {
                        t.writer.write(inBuffers, offset);
                    } catch (RuntimeException e) {
                        failed.increment(t.rows);
                        LOG.warn("batcher '{}': writing the rows of a task failed: {}", model, e.toString());
                        t.fail(new BatchException(BatchException.Reason.BAD_INPUT, "writing its rows failed: " + e));
                        continue;
                    }
                } else {
                    for (int i = 0; i < nIn; i++) {
                        int n = t.rows * inW[i];
                        FloatBuffer b = inBuffers[i].position(offset * inW[i]);
                        if (t.inputs != null) {
                            b.put(t.inputs[i], 0, n);
                        } else {
                            b.put(t.buffers[i].duplicate().clear().limit(n));
                        }
                    }
                }
                batch.set(live++, t);
                offset += t.rows;
            }
            batch.subList(live, batch.size()).clear(); // the failed writers' slots
            for (int i = 0; i < nIn; i++) {
                inBuffers[i].position(0).limit(offset * inW[i]);
            }
            return offset;
        }

        private void ensureBuffers(ModelSignature sig, int rows) {
            int nIn = sig.inputs().size();
            int nOut = sig.outputs().size();
            int cap = Math.max(rows, config.maxBatchRows());
            if (inBuffers.length != nIn) {
                inBuffers = new FloatBuffer[nIn];
            }
            for (int i = 0; i < nIn; i++) {
                int need = cap * sig.inputs().get(i).width();
                if (inBuffers[i] == null || inBuffers[i].capacity() < need) {
                    inBuffers[i] = ByteBuffer.allocateDirect(need * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                }
            }
            if (outArrays.length != nOut) {
                outArrays = new float[nOut][];
            }
            for (int o = 0; o < nOut; o++) {
                int need = cap * sig.outputs().get(o).width();
                if (outArrays[o] == null || outArrays[o].length < need) {
                    outArrays[o] = new float[need];
                }
            }
        }

        private void failAll(Throwable e) {
            for (ScoringTask t : batch) {
                t.fail(e);
            }
        }
    }

    private static String checkShape(ScoringTask t, int[] inW) {
        if (t.inputCount() != inW.length) {
            return "task has " + t.inputCount() + " inputs, model takes " + inW.length;
        }
        for (int i = 0; i < inW.length; i++) {
            if (t.writer != null) {
                if (t.widths[i] != inW[i]) {
                    return "input " + i + " is written " + t.widths[i] + " wide, the model's is " + inW[i];
                }
                continue;
            }
            int floats = t.inputFloats(i);
            if (floats < t.rows * inW[i]) {
                return "input " + i + " holds " + floats + " floats, " + t.rows + " rows × width " + inW[i] + " needed";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "DynamicBatcher{" + model + ", " + config + '}';
    }

    /**
     * This thread's CPU time in ns (one system call), or -1 where the JVM cannot tell. The engine's
     * {@code ThreadCpuClock} does the same for its workers; this module does not depend on the
     * engine, and two lines are not worth a shared one.
     */
    private static long threadCpuNanos() {
        return THREAD_CPU ? THREADS.getCurrentThreadCpuTime() : -1L;
    }
}
