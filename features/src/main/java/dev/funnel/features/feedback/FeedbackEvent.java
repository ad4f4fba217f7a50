package dev.funnel.features.feedback;

import java.util.Objects;

/**
 * One thing a user did with a served item, as the client reports it.
 *
 * @param requestId     the {@code request_id} of the recommendation that served the item, or null
 *                      when the client does not know it
 * @param userId        external user id, non-empty
 * @param itemId        item id, positive
 * @param type          what happened
 * @param timestampMillis when it happened on the client, epoch milliseconds (the server's receive
 *                      time when the client sent none)
 */
public record FeedbackEvent(String requestId, String userId, long itemId, Type type, long timestampMillis) {

    public FeedbackEvent {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(type, "type");
        if (userId.isEmpty()) {
            throw new IllegalArgumentException("userId is empty");
        }
        if (itemId <= 0) {
            throw new IllegalArgumentException("itemId must be > 0, got " + itemId);
        }
    }

    /** Event kinds, as JSON writes them in lower case. */
    public enum Type {
        /** The item was really shown on screen: feeds long-term exposure. */
        EXPOSE,
        /** The user opened the item. */
        CLICK,
        /** Explicit positive feedback. */
        LIKE,
        /** Explicit negative feedback. */
        DISLIKE,
        /** The user bought, subscribed, finished: the business goal. */
        CONVERT;

        /** The JSON name, e.g. {@code expose}. */
        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The type of a JSON name, or null when there is none. */
        public static Type ofJsonName(String s) {
            for (Type t : values()) {
                if (t.jsonName().equals(s)) {
                    return t;
                }
            }
            return null;
        }
    }
}
