package dev.funnel.server.serving;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named gates; the server is ready when every gate registered so far is open. The server opens
 * {@code dags} when routes are compiled; a wiring that loads something (the catalog) registers its
 * own gate and opens it when done. Any thread.
 */
public final class Readiness {

    private final Map<String, Boolean> gates = new ConcurrentHashMap<>();

    /** Registers a closed gate (idempotent: an open gate stays open). */
    public void register(String gate) {
        gates.putIfAbsent(gate, Boolean.FALSE);
    }

    /** Opens a gate, registering it if needed. */
    public void open(String gate) {
        gates.put(gate, Boolean.TRUE);
    }

    /** Closes a gate (a dependency went away). */
    public void close(String gate) {
        gates.put(gate, Boolean.FALSE);
    }

    /** True when at least one gate exists and all are open. */
    public boolean ready() {
        return !gates.isEmpty() && !gates.containsValue(Boolean.FALSE);
    }

    /** Each gate and whether it is open, sorted by name. */
    public Map<String, Boolean> gates() {
        return new TreeMap<>(gates);
    }

    @Override
    public String toString() {
        return "Readiness" + gates();
    }
}
