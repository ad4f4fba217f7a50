package dev.funnel.features.feedback;

import java.util.List;

/** A rejected feedback batch: every problem, each with its JSON path. Maps to HTTP 400. */
public final class FeedbackException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public FeedbackException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, e.g. {@code events[3].item_id: must be a positive integer, got "abc"}. */
    public List<String> problems() {
        return problems;
    }
}
