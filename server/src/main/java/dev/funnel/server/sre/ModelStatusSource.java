package dev.funnel.server.sre;

import java.util.List;

/**
 * What the console shows about models: register an implementation in the
 * {@link dev.funnel.engine.spi.OperatorEnv} (the model registry does) and the console lists every
 * model with its live version and how long ago it last changed. Called off the request path, from
 * any thread.
 */
public interface ModelStatusSource {

    /**
     * One model.
     *
     * @param name            the model's name ({@code ctr})
     * @param version         its live version
     * @param updatedAtMillis when that version (or its last delta) went live, epoch ms
     */
    record ModelStatus(String name, String version, long updatedAtMillis) {
    }

    /** Every model, by name. */
    List<ModelStatus> models();
}
