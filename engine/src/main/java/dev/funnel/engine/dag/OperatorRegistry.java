package dev.funnel.engine.dag;

import dev.funnel.engine.spi.OperatorFactory;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The operator factories known to this process, by name. Immutable. */
public final class OperatorRegistry {

    private final Map<String, OperatorFactory> byName;

    private OperatorRegistry(Map<String, OperatorFactory> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Every factory on the class path, via {@link ServiceLoader}. */
    public static OperatorRegistry discover() {
        return discover(Thread.currentThread().getContextClassLoader());
    }

    /** Every factory visible to the loader. */
    public static OperatorRegistry discover(ClassLoader loader) {
        Map<String, OperatorFactory> m = new TreeMap<>();
        for (OperatorFactory f : ServiceLoader.load(OperatorFactory.class, loader)) {
            OperatorFactory prev = m.put(f.name(), f);
            if (prev != null && prev.getClass() != f.getClass()) {
                throw new IllegalStateException("two operators are named '" + f.name() + "': "
                        + prev.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return new OperatorRegistry(m);
    }

    /** A registry of exactly these factories (tests, benchmarks). */
    public static OperatorRegistry of(OperatorFactory... factories) {
        Map<String, OperatorFactory> m = new TreeMap<>();
        for (OperatorFactory f : factories) {
            if (m.put(f.name(), f) != null) {
                throw new IllegalArgumentException("two operators are named '" + f.name() + "'");
            }
        }
        return new OperatorRegistry(m);
    }

    /** The factory of this operator name ({@code recall.hot}), if registered. */
    public Optional<OperatorFactory> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** All factories, sorted by name. */
    public Collection<OperatorFactory> all() {
        return byName.values();
    }

    @Override
    public String toString() {
        return "OperatorRegistry" + byName.keySet();
    }
}
