package dev.funnel.server.wiring;

import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.server.FunnelConfig;
import dev.funnel.server.serving.Readiness;
import dev.funnel.server.serving.ResponseHooks;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a {@link FeatureWiring} gets: the config, the operator environment to fill, readiness gates,
 * response hooks, the meter registry, and a place to register cleanup. Used on the main thread
 * during start and shutdown only.
 */
public final class WiringContext {

    private final FunnelConfig config;
    private final boolean demo;
    private final OperatorEnv env;
    private final Readiness readiness;
    private final ResponseHooks responseHooks;
    private final MeterRegistry meterRegistry;
    private final Deque<AutoCloseable> closers = new ArrayDeque<>();

    public WiringContext(FunnelConfig config, boolean demo, OperatorEnv env, Readiness readiness,
                         ResponseHooks responseHooks, MeterRegistry meterRegistry) {
        this.config = config;
        this.demo = demo;
        this.env = env;
        this.readiness = readiness;
        this.responseHooks = responseHooks;
        this.meterRegistry = meterRegistry;
    }

    /** The server's config; other teams' keys via {@link FunnelConfig#get}. */
    public FunnelConfig config() {
        return config;
    }

    /** True in {@code funnel demo}: the sim world is registered in {@link #env()} and is the data source. */
    public boolean demo() {
        return demo;
    }

    /** The services operators look up by type. */
    public OperatorEnv env() {
        return env;
    }

    /** Register a gate here for something that loads asynchronously; open it when loaded. */
    public Readiness readiness() {
        return readiness;
    }

    /** Add a {@link dev.funnel.server.serving.ResponseListener} for per-response side effects. */
    public ResponseHooks responseHooks() {
        return responseHooks;
    }

    /** Micrometer registry behind {@code /metrics}. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Closed on shutdown after the HTTP server has drained, in reverse order of registration. */
    public void onClose(AutoCloseable closer) {
        closers.push(closer);
    }

    /** Closes everything registered with {@link #onClose}, newest first; returns the first failure, if any. */
    public Exception closeAll() {
        Exception first = null;
        while (!closers.isEmpty()) {
            try {
                closers.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }
}
