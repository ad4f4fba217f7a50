package dev.funnel.engine.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ordered set of parameters an operator declares. Immutable. */
public final class ParamSchema {

    /** A schema with no parameters. */
    public static final ParamSchema NONE = new ParamSchema(List.of());

    private final Map<String, ParamSpec> specs;

    private ParamSchema(List<ParamSpec> specs) {
        Map<String, ParamSpec> m = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            if (m.put(s.name(), s) != null) {
                throw new IllegalArgumentException("duplicate param '" + s.name() + "' in schema");
            }
        }
        this.specs = Collections.unmodifiableMap(m);
    }

    /** A schema of these parameters, in this order. */
    public static ParamSchema of(ParamSpec... specs) {
        return new ParamSchema(List.of(specs));
    }

    /** The declared parameter of this name. */
    public Optional<ParamSpec> get(String name) {
        return Optional.ofNullable(specs.get(name));
    }

    /** All declared parameters, in declaration order. */
    public List<ParamSpec> all() {
        return List.copyOf(specs.values());
    }

    @Override
    public String toString() {
        return "ParamSchema" + specs.keySet();
    }
}
