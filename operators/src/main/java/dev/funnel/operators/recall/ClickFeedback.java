package dev.funnel.operators.recall;

import dev.funnel.features.profile.ProfileStore;
import dev.funnel.index.ClickCounts;
import dev.funnel.index.CoClickTable;

/**
 * The one hook the feedback path calls for a click, so every structure recall reads learns from it:
 * the user's profile (recent clicks, real-time embedding), the co-click table ({@code recall.i2i})
 * and the windowed click counts ({@code recall.hot} with {@code window_hours}). Any thread; call it
 * off the event loop or on it (each step is a short map update, no I/O).
 */
public final class ClickFeedback {

    private final ProfileStore profiles;
    private final CoClickTable coClicks;
    private final ClickCounts clickCounts;

    public ClickFeedback(ProfileStore profiles, CoClickTable coClicks, ClickCounts clickCounts) {
        this.profiles = profiles;
        this.coClicks = coClicks;
        this.clickCounts = clickCounts;
    }

    /** Records that the user clicked the item at {@code tsMillis}. */
    public void onClick(String userId, long itemId, long tsMillis) {
        long[] before = profiles.get(userId).recentClicks();
        profiles.onClick(userId, itemId, tsMillis);
        coClicks.onClick(itemId, before);
        clickCounts.onClick(itemId); // popularity windows run on arrival time, whatever clock the client's ts uses
    }
}
