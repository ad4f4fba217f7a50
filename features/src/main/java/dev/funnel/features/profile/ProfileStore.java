package dev.funnel.features.profile;

/**
 * Where serving reads user profiles and where feedback updates their real-time part. Reads are
 * lock-free and may run on an event loop; writes may run on any thread (the feedback path, the
 * loader) and are visible to the next read that starts after they return.
 */
public interface ProfileStore {

    /** The user's profile, or {@link UserProfile#unknown} for a user never seen. Any thread; never blocks. */
    UserProfile get(String userId);

    /**
     * Stores a profile (the batch-computed part: demographics, interest tags, click history). When it
     * carries no embedding but has clicks, the store derives the real-time embedding from them.
     */
    void put(UserProfile profile);

    /**
     * Records a click: the item goes to the front of the user's recent clicks and the user's
     * embedding moves toward the item's. Any thread; the feedback handler calls it.
     */
    void onClick(String userId, long itemId, long tsMillis);

    /** Users with a stored profile. */
    int size();
}
