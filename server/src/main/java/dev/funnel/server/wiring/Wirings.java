package dev.funnel.server.wiring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Discovers every {@link FeatureWiring} with {@link ServiceLoader} and runs them in order. */
public final class Wirings {

    private static final Logger LOG = LoggerFactory.getLogger(Wirings.class);

    private Wirings() {
    }

    /** Every wiring on the class path, in run order. */
    public static List<FeatureWiring> discover() {
        List<FeatureWiring> all = new ArrayList<>();
        ServiceLoader.load(FeatureWiring.class).forEach(all::add);
        all.sort(Comparator.comparingInt(FeatureWiring::order).thenComparing(w -> w.getClass().getName()));
        return all;
    }

    /**
     * Runs each wiring, then each one's {@link FeatureWiring#afterAll}.
     *
     * @throws IllegalStateException naming the wiring that failed, with its cause
     */
    public static void runAll(List<FeatureWiring> wirings, WiringContext ctx) {
        for (FeatureWiring w : wirings) {
            long t0 = System.nanoTime();
            try {
                w.wire(ctx);
            } catch (Exception e) {
                throw new IllegalStateException("wiring " + w.getClass().getSimpleName() + " failed: " + e.getMessage(), e);
            }
            LOG.info("wired {} in {} ms", w.getClass().getSimpleName(), (System.nanoTime() - t0) / 1_000_000);
        }
        for (FeatureWiring w : wirings) {
            w.afterAll(ctx);
        }
    }
}
