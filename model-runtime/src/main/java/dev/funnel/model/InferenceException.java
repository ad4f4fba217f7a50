package dev.funnel.model;

/** A model failed to load or to run. */
public class InferenceException extends Exception {

    private static final long serialVersionUID = 1L;

    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
