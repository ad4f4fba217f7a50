package dev.funnel.model.batch;

import java.nio.FloatBuffer;

/**
 * Writes one task's rows straight into the batch's input buffers, on the runner thread, just before
 * the inference that reads them: the rows are written by the core that scores them, and a task
 * dropped before inference (late, cancelled) is never assembled. Called at most once per task.
 */
@FunctionalInterface
public interface RowWriter {

    /**
     * Writes the task's rows as rows {@code [rowOffset, rowOffset + rows)} of every input: input i,
     * row r, column c at index {@code r × width(i) + c} of {@code inputs[i]} (absolute puts; position
     * and limit are not used). Every float of those rows must be written. Runs on a batcher runner:
     * no blocking, nothing that waits on the request's loop.
     *
     * @throws RuntimeException to fail this task alone (the batch goes on without its rows)
     */
    void write(FloatBuffer[] inputs, int rowOffset);
}
