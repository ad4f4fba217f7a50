package dev.funnel.model.batch;

import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One request's rows for the batcher: per model input a row-major {@code rows × width} array or
 * buffer (in the model signature's input order), or a {@link RowWriter} that writes them into the
 * batch on the runner; the request's deadline, and where to complete. Created on the request's
 * thread; the batcher's runner reads it after a safe publication through the queue. A task given
 * direct buffers that runs alone in its batch is handed to the backend as it is, without a copy;
 * the buffers must not change until {@link #result()} completes.
 */
public final class ScoringTask {

    final int rows;
    final float[][] inputs;
    final FloatBuffer[] buffers;
    final RowWriter writer;
    /** With a writer: the width of each input it writes (checked against the model's). */
    final int[] widths;
    final long deadlineNanos;
    final Executor completeOn;
    final CompletableFuture<Scores> result = new CompletableFuture<>();
    long enqueuedNanos;
    volatile boolean cancelled;

    /**
     * @param rows          rows to score, ≥ 1
     * @param inputs        per model input, {@code rows × width} floats, row-major; not copied
     * @param deadlineNanos the request's deadline in the batcher clock's terms (the server's loops
     *                      and the batcher both use {@code System.nanoTime()}); rows still queued
     *                      after it are dropped
     * @param completeOn    where the result future completes (the request's event loop), or null
     *                      for the runner thread
     */
    public ScoringTask(int rows, float[][] inputs, long deadlineNanos, Executor completeOn) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        this.rows = rows;
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.buffers = null;
        this.writer = null;
        this.widths = null;
        this.deadlineNanos = deadlineNanos;
        this.completeOn = completeOn;
    }

    /**
     * A task over buffers: per model input, floats {@code [0, rows × width)} of the buffer (its
     * position and limit are ignored), row-major; direct buffers avoid every copy when the task
     * runs alone. Otherwise as {@link #ScoringTask(int, float[][], long, Executor)}.
     */
    public ScoringTask(int rows, FloatBuffer[] buffers, long deadlineNanos, Executor completeOn) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        this.rows = rows;
        this.inputs = null;
        this.buffers = Objects.requireNonNull(buffers, "buffers");
        this.writer = null;
        this.widths = null;
        this.deadlineNanos = deadlineNanos;
        this.completeOn = completeOn;
    }

    /**
     * A task whose rows {@code writer} writes into the batch's input buffers on the runner, just
     * before its inference ({@link RowWriter}); {@code widths} are the widths of the inputs it writes,
     * in the model signature's order (a version whose inputs differ fails the task). Otherwise as
     * {@link #ScoringTask(int, float[][], long, Executor)}.
     */
    public ScoringTask(int rows, int[] widths, RowWriter writer, long deadlineNanos, Executor completeOn) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        this.rows = rows;
        this.inputs = null;
        this.buffers = null;
        this.writer = Objects.requireNonNull(writer, "writer");
        this.widths = widths.clone();
        this.deadlineNanos = deadlineNanos;
        this.completeOn = completeOn;
    }

    /** Model inputs carried. */
    int inputCount() {
        return inputs != null ? inputs.length : buffers != null ? buffers.length : widths.length;
    }

    /** Floats available for input i (0 when missing) of an array or buffer task. */
    int inputFloats(int i) {
        if (inputs != null) {
            return inputs[i] == null ? 0 : inputs[i].length;
        }
        return buffers[i] == null ? 0 : buffers[i].capacity();
    }

    /** Completes with the scores, or with {@link BatchException} (late, cancelled, closed) or the inference failure. */
    public CompletableFuture<Scores> result() {
        return result;
    }

    /** Rows in this task. */
    public int rows() {
        return rows;
    }

    /** Drops the task if it has not run yet (the request timed out). Any thread. */
    public void cancel() {
        cancelled = true;
    }

    /** Whether {@link #cancel} was called. */
    public boolean isCancelled() {
        return cancelled;
    }

    void complete(Scores s) {
        if (completeOn == null) {
            result.complete(s);
        } else {
            completeOn.execute(() -> result.complete(s));
        }
    }

    void fail(Throwable t) {
        if (completeOn == null) {
            result.completeExceptionally(t);
        } else {
            completeOn.execute(() -> result.completeExceptionally(t));
        }
    }
}
