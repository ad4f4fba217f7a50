package dev.funnel.trainer.learn;

import dev.funnel.trainer.optim.AdaGrad;
import dev.funnel.trainer.optim.Adam;
import dev.funnel.trainer.optim.Ftrl;

/**
 * Optimizer and table settings of the learner. Immutable.
 *
 * @param ftrl            wide part
 * @param adaGrad         field embedding rows
 * @param adam            dense MLP
 * @param batchSize       samples per Adam step
 * @param admitAfter      updates before a new id gets a row (as the serving tables)
 * @param maxRows         row limit per table
 * @param rowTtlMillis    rows not updated for this long expire (as the serving tables)
 * @param initScale       uniform init range of a newly admitted field-embedding row
 */
public record LearnerConfig(Ftrl ftrl, AdaGrad adaGrad, Adam adam, int batchSize, int admitAfter, int maxRows,
                            long rowTtlMillis, double initScale) {

    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final int DEFAULT_ADMIT_AFTER = 2;
    public static final int DEFAULT_MAX_ROWS = 2_000_000;
    public static final long DEFAULT_ROW_TTL_MILLIS = 7L * 24 * 3600 * 1000;
    public static final double DEFAULT_INIT_SCALE = 0.01;
    public static final LearnerConfig DEFAULT = new LearnerConfig(Ftrl.DEFAULT, AdaGrad.DEFAULT, Adam.DEFAULT,
            DEFAULT_BATCH_SIZE, DEFAULT_ADMIT_AFTER, DEFAULT_MAX_ROWS, DEFAULT_ROW_TTL_MILLIS, DEFAULT_INIT_SCALE);

    public LearnerConfig {
        if (batchSize < 1 || admitAfter < 1 || maxRows < 1 || rowTtlMillis < 1 || initScale < 0) {
            throw new IllegalArgumentException("learner config: need batchSize, admitAfter, maxRows, rowTtlMillis >= 1 and "
                    + "initScale >= 0, got " + this);
        }
    }

    public LearnerConfig withAdam(Adam a) {
        return new LearnerConfig(ftrl, adaGrad, a, batchSize, admitAfter, maxRows, rowTtlMillis, initScale);
    }

    public LearnerConfig withAdmitAfter(int n) {
        return new LearnerConfig(ftrl, adaGrad, adam, batchSize, n, maxRows, rowTtlMillis, initScale);
    }
}
