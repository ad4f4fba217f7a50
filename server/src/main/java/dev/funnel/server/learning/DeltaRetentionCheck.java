package dev.funnel.server.learning;

import dev.funnel.streams.Topics;
import dev.funnel.trainer.Trainer;

import java.util.OptionalLong;

/**
 * A serving replica's start-up check that the {@code model-deltas} topic keeps a base for it: a replica holds its
 * model tables in memory and rebuilds them from the newest base on, so a topic that deletes records by age
 * ({@code retention.ms}) before the next base is published leaves a replica starting then with only the deltas left.
 * The trainer checks its own interval against the retention when it starts, but it runs on another host when it is
 * not embedded, and a replica joining later is the one that pays: so the replica checks too, with what it can see at
 * no cost (the topic's retention, and whether its replay starts at a base). Called once, on the starting thread.
 */
final class DeltaRetentionCheck {

    private DeltaRetentionCheck() {
    }

    /**
     * What is wrong, or null when nothing is.
     *
     * @param expiryMillis       the delta topic's {@code retention.ms}, empty when it is not deleted by age
     * @param startedAtBase      whether this replica's replay starts at a base of the model
     * @param emptyAtStart       whether the topic held nothing at start (a new cluster: no base is missing yet)
     * @param baseIntervalMillis the trainer's base interval when this replica knows it ({@code trainer.base_every_s}
     *                           set in its configuration), else empty
     */
    static String problem(String model, OptionalLong expiryMillis, boolean startedAtBase, boolean emptyAtStart,
                          OptionalLong baseIntervalMillis) {
        if (expiryMillis.isEmpty()) {
            return null; // kept until a newer base supersedes it (or for ever): nothing a base needs is deleted by age
        }
        long expiry = expiryMillis.getAsLong();
        if (!startedAtBase && !emptyAtStart) {
            return "topic " + Topics.MODEL_DELTAS + " holds deltas of model " + model + " but no base of it, and deletes records"
                    + " after " + expiry + " ms (retention.ms): this replica replayed only the deltas left and serves without the"
                    + " rows of those deleted until the trainer's next base; make the topic's retention.ms longer than the"
                    + " trainer's base interval (trainer.base_every_s / base.every.s; twice it leaves room for a trainer restart),"
                    + " or publish bases more often";
        }
        if (baseIntervalMillis.isPresent()) {
            return Trainer.basesOutliveExpiry(expiryMillis, baseIntervalMillis.getAsLong());
        }
        return null;
    }
}
