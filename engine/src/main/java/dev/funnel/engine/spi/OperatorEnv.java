package dev.funnel.engine.spi;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services an operator may use, keyed by type: the server registers its index, stores,
 * model registry, metrics… at start, and factories look them up in {@link OperatorFactory#create}.
 * Written during wiring, read afterwards; thread-safe.
 */
public final class OperatorEnv {

    private final Map<Class<?>, Object> services = new ConcurrentHashMap<>();

    /** Registers (or replaces) the service of a type. Returns this, for chaining. */
    public <T> OperatorEnv register(Class<T> type, T service) {
        services.put(type, type.cast(service));
        return this;
    }

    /** Removes the service of a type (a start-time input nothing reads afterwards). Returns this. */
    public OperatorEnv remove(Class<?> type) {
        services.remove(type);
        return this;
    }

    /** A new env with the same services (registering into one does not change the other). */
    public OperatorEnv copy() {
        OperatorEnv c = new OperatorEnv();
        c.services.putAll(services);
        return c;
    }

    /** The service of a type, if one was registered. */
    public <T> Optional<T> find(Class<T> type) {
        return Optional.ofNullable(type.cast(services.get(type)));
    }

    /**
     * The service of a type.
     *
     * @throws IllegalStateException naming the type when none was registered: a wiring error
     */
    public <T> T require(Class<T> type) {
        Object s = services.get(type);
        if (s == null) {
            throw new IllegalStateException("no service of type " + type.getName() + " is wired into the operator environment");
        }
        return type.cast(s);
    }

    @Override
    public String toString() {
        return "OperatorEnv" + services.keySet();
    }
}
