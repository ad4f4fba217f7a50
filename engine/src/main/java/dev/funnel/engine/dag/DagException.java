package dev.funnel.engine.dag;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that failed loading, validation or compilation; carries every problem found. */
public final class DagException extends Exception {

    private final List<Problem> problems;

    public DagException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a DagException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in file order. */
    public List<Problem> problems() {
        return problems;
    }
}
