package dev.funnel.server.http;

import java.util.Map;

/**
 * A parsed, validated {@code POST /v1/recommend} body.
 *
 * @param userId    {@code user_id}
 * @param scene     {@code scene}
 * @param count     {@code count}, 1..max (default {@link RequestParser#DEFAULT_COUNT})
 * @param context   {@code context}, as parsed
 * @param exclude   {@code exclude} item ids
 * @param debug     {@code debug}
 * @param timeoutMs {@code timeout_ms}, or 0 when absent
 */
record RecommendRequest(String userId, String scene, int count, Map<String, Object> context, long[] exclude,
                        boolean debug, int timeoutMs) {
}
