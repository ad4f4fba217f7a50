package dev.funnel.engine.dag;

import java.nio.file.Path;

/**
 * Parses DAG YAML into a {@link DagSpec}, keeping the line of every key. Syntax and shape errors
 * (not a mapping, a deadline that is not a number, an unknown top-level key) are reported here
 * with file:line; semantic checks are the {@link DagValidator}'s.
 */
public final class DagLoader {

    private DagLoader() {
    }

    /** Loads a file; {@code file} in problems is the path as given. */
    public static DagSpec load(Path path) throws DagException {
        throw new UnsupportedOperationException("TODO(engine): DagLoader.load");
    }

    /** Loads YAML text; {@code fileName} is used in problems. */
    public static DagSpec parse(String fileName, String yaml) throws DagException {
        throw new UnsupportedOperationException("TODO(engine): DagLoader.parse");
    }
}
