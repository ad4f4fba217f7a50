package dev.funnel.trainer;

import dev.funnel.trainer.join.JoinConfig;
import dev.funnel.trainer.learn.LearnerConfig;

import java.nio.file.Path;

/**
 * Trainer settings. Immutable.
 *
 * @param modelName            model the deltas are for, e.g. {@code ctr}
 * @param consumerName         the trainer's tailer name on the input topics
 * @param sparseIntervalMillis publish touched rows at most this often
 * @param denseIntervalMillis  publish a dense ONNX snapshot at most this often
 * @param idleAfterMillis      an input topic with no new record for this long stops holding back event time
 * @param maxAheadMillis       a record stamped later than the trainer's clock plus this is dropped and counted
 *                             ({@link Trainer#futureRecords()}): one such timestamp would otherwise become event
 *                             time, make every real record late and expire every learned row
 * @param pollBatch            records read per topic per loop turn
 * @param checkpointDir        where state is checkpointed at each publish (null: no checkpoints)
 * @param join                 label join timing
 * @param learner              optimizers and tables
 * @param baseIntervalMillis   publish a base (every row of every table and the dense snapshot) at most this
 *                             often, so replicas start at the newest base and older deltas can be deleted;
 *                             0: never (then replicas replay the delta topic from its start)
 */
public record TrainerConfig(String modelName, String consumerName, long sparseIntervalMillis, long denseIntervalMillis,
                            long idleAfterMillis, long maxAheadMillis, int pollBatch, Path checkpointDir, JoinConfig join, LearnerConfig learner,
                            long baseIntervalMillis) {

    public static final long DEFAULT_SPARSE_INTERVAL_MILLIS = 1_000;
    public static final long DEFAULT_DENSE_INTERVAL_MILLIS = 60_000;
    public static final long DEFAULT_IDLE_AFTER_MILLIS = 5_000;
    public static final int DEFAULT_POLL_BATCH = 512;
    /** Clock skew between the hosts that stamp records and the trainer's that is tolerated: 5 minutes. */
    public static final long DEFAULT_MAX_AHEAD_MILLIS = 300_000;
    /** A base an hour: a replica starting applies at most an hour of deltas after it. */
    public static final long DEFAULT_BASE_INTERVAL_MILLIS = 3_600_000;

    public TrainerConfig {
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("trainer: modelName must be set, got '" + modelName + "'");
        }
        if (consumerName == null || !consumerName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("trainer: consumerName must match [A-Za-z0-9._-]+, got '" + consumerName + "'");
        }
        if (sparseIntervalMillis < 0 || denseIntervalMillis < sparseIntervalMillis || idleAfterMillis < 0 || pollBatch < 1) {
            throw new IllegalArgumentException("trainer: need 0 <= sparseIntervalMillis <= denseIntervalMillis, idleAfterMillis >= 0,"
                    + " pollBatch >= 1, got " + sparseIntervalMillis + "/" + denseIntervalMillis + "/" + idleAfterMillis + "/" + pollBatch);
        }
        if (maxAheadMillis < 0) {
            throw new IllegalArgumentException("trainer: maxAheadMillis must be >= 0, got " + maxAheadMillis);
        }
        if (baseIntervalMillis < 0) {
            throw new IllegalArgumentException("trainer: baseIntervalMillis must be >= 0 (0 = no bases), got " + baseIntervalMillis);
        }
        if (join == null || learner == null) {
            throw new IllegalArgumentException("trainer: join and learner config must be set");
        }
    }

    /** Defaults for a model, checkpointing into {@code checkpointDir}. */
    public static TrainerConfig defaults(String modelName, Path checkpointDir) {
        return new TrainerConfig(modelName, "trainer-" + modelName, DEFAULT_SPARSE_INTERVAL_MILLIS, DEFAULT_DENSE_INTERVAL_MILLIS,
                DEFAULT_IDLE_AFTER_MILLIS, DEFAULT_MAX_AHEAD_MILLIS, DEFAULT_POLL_BATCH, checkpointDir, JoinConfig.DEFAULT, LearnerConfig.DEFAULT,
                DEFAULT_BASE_INTERVAL_MILLIS);
    }

    public TrainerConfig withIntervals(long sparseMillis, long denseMillis) {
        return new TrainerConfig(modelName, consumerName, sparseMillis, denseMillis, idleAfterMillis, maxAheadMillis, pollBatch,
                checkpointDir, join, learner, baseIntervalMillis);
    }

    public TrainerConfig withJoin(JoinConfig j) {
        return new TrainerConfig(modelName, consumerName, sparseIntervalMillis, denseIntervalMillis, idleAfterMillis, maxAheadMillis, pollBatch,
                checkpointDir, j, learner, baseIntervalMillis);
    }

    public TrainerConfig withLearner(LearnerConfig l) {
        return new TrainerConfig(modelName, consumerName, sparseIntervalMillis, denseIntervalMillis, idleAfterMillis, maxAheadMillis, pollBatch,
                checkpointDir, join, l, baseIntervalMillis);
    }

    public TrainerConfig withIdleAfter(long millis) {
        return new TrainerConfig(modelName, consumerName, sparseIntervalMillis, denseIntervalMillis, millis, maxAheadMillis, pollBatch,
                checkpointDir, join, learner, baseIntervalMillis);
    }

    public TrainerConfig withPollBatch(int n) {
        return new TrainerConfig(modelName, consumerName, sparseIntervalMillis, denseIntervalMillis, idleAfterMillis, maxAheadMillis, n,
                checkpointDir, join, learner, baseIntervalMillis);
    }

    public TrainerConfig withBaseInterval(long millis) {
        return new TrainerConfig(modelName, consumerName, sparseIntervalMillis, denseIntervalMillis, idleAfterMillis, maxAheadMillis, pollBatch,
                checkpointDir, join, learner, millis);
    }

    public TrainerConfig withMaxAhead(long millis) {
        return new TrainerConfig(modelName, consumerName, sparseIntervalMillis, denseIntervalMillis, idleAfterMillis, millis, pollBatch,
                checkpointDir, join, learner, baseIntervalMillis);
    }
}
