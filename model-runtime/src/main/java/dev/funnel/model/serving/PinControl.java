package dev.funnel.model.serving;

import java.util.concurrent.CompletableFuture;

/**
 * What the admin API's rollback and unpin act through: {@link ModelRuntime} itself (this replica only,
 * when there are no streams), or the server's cluster-wide control, which publishes the decision on
 * the {@code model-control} topic for every replica to apply. Both answer once this replica applied it.
 * Thread-safe; the futures complete off the caller's thread.
 */
public interface PinControl {

    /**
     * Makes the previous version of {@code name} live again and pins it.
     *
     * @return completes with the version now live; fails with {@link IllegalStateException} when there
     *         is no previous version, {@link IllegalArgumentException} for a model that is not defined
     *         (possibly thrown at once), {@link ModelRuntime.PinNotSavedException} when it is live but
     *         its pin could not be saved, {@link ControlUnavailableException} when the decision could not be
     *         shared with the other replicas (nothing was applied anywhere)
     */
    CompletableFuture<String> rollback(String name);

    /**
     * Ends the pin of {@code name}: the newest version received meanwhile goes live.
     *
     * @return completes with the version now live; fails with {@link IllegalStateException} when the
     *         model is not pinned, otherwise as {@link #rollback}
     */
    CompletableFuture<String> unpin(String name);

    /**
     * A decision that could not be shared with the other replicas (the {@code model-control} stream did not take
     * it within its delivery timeout): it was applied nowhere, this replica included, and may be made again.
     */
    final class ControlUnavailableException extends RuntimeException {

        public ControlUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
