package dev.funnel.engine.dag;

import java.util.List;

/**
 * Static validation of a {@link DagSpec} against the operators' declared schemas. Reports every
 * problem, not the first: unknown op, unknown or ill-typed or out-of-range param, duplicate or
 * dangling ids, cycles, unreachable nodes, missing output, a node deadline above the DAG's, a
 * fallback that is not upstream, input types an operator needs but no upstream provides.
 */
public final class DagValidator {

    private DagValidator() {
    }

    /** Every problem with the spec, in line order; empty when valid. */
    public static List<Problem> validate(DagSpec spec, OperatorRegistry registry) {
        throw new UnsupportedOperationException("TODO(engine): DagValidator.validate");
    }
}
