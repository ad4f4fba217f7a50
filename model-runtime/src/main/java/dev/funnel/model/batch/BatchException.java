package dev.funnel.model.batch;

/**
 * Why a task's rows were not scored. Stackless: these are expected outcomes on a hot path
 * (late rows, shutdown), distinguished by {@link #reason()}.
 */
public final class BatchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the rows were not scored. */
    public enum Reason {
        /** The request's deadline passed while the rows were queued. */
        DEADLINE,
        /** The request cancelled the task (timed out upstream). */
        CANCELLED,
        /** The queue was full. */
        QUEUE_FULL,
        /** No version of the model is live. */
        NO_MODEL,
        /** The batcher shut down. */
        CLOSED,
        /** The task's inputs do not match the model's signature. */
        BAD_INPUT
    }

    private final Reason reason;

    public BatchException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
