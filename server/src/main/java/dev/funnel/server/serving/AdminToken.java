package dev.funnel.server.serving;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin token and its checks, compared in constant time: the admin API's bearer check
 * ({@code http.AdminAuth}) and the console's ({@code sre}, which also takes a cookie) use this one.
 * Immutable; any thread.
 */
public final class AdminToken {

    private static final String SCHEME = "Bearer ";

    private final byte[] token;

    public AdminToken(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether an {@code Authorization} header (null: none) is {@code Bearer <token>}, the scheme in any case (RFC 9110 §11.1). */
    public boolean bearerMatches(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                && matches(authorization.substring(SCHEME.length()).trim());
    }

    /** Whether {@code candidate} is the token. */
    public boolean matches(String candidate) {
        return MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }
}
