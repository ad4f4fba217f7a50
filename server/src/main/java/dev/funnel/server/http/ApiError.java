package dev.funnel.server.http;

/**
 * A client error found while reading a request: the HTTP status, a stable machine code, a message
 * that says what and where, and the offending field (or null). Thrown by the parser and turned into
 * {@code {"error":{"status","code","message","field"}}} by the handler; never seen by clients as 5xx.
 */
final class ApiError extends Exception {

    final int status;
    final String code;
    final String field;

    ApiError(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    static ApiError invalid(String field, String message) {
        return new ApiError(400, "invalid_field", message, field);
    }
}
