package dev.funnel.model.registry;

import java.util.List;

/**
 * A model as the admin API lists it.
 *
 * @param name        the model's name
 * @param liveVersion the version serving now, or null
 * @param previous    versions available to {@link ModelRegistry#rollback}, most recent first
 * @param liveSinceMillis when the live version went live, epoch ms (0 when none is live)
 * @param pinned      whether a rollback pinned the live version (loads are kept, not made live,
 *                    until {@link ModelRegistry#unpin})
 * @param heldWhilePinned versions loaded while pinned, newest first: the first goes live on unpin
 * @param awaitedPin  a pin restored at start ({@link ModelRegistry#restorePin}) to a version that is not
 *                    loaded: it goes live and pinned when it is, newer versions serve meanwhile; null when
 *                    there is none (then {@code pinned} says whether a pin holds)
 */
public record ModelInfo(String name, String liveVersion, List<String> previous, long liveSinceMillis, boolean pinned,
                        List<String> heldWhilePinned, String awaitedPin) {

    /** A model with no awaited pin. */
    public ModelInfo(String name, String liveVersion, List<String> previous, long liveSinceMillis, boolean pinned,
                     List<String> heldWhilePinned) {
        this(name, liveVersion, previous, liveSinceMillis, pinned, heldWhilePinned, null);
    }

    /** The version a pin is on (the live one while pinned, or the awaited one), or null when none is. */
    public String pinnedVersion() {
        return pinned ? liveVersion : awaitedPin;
    }

    /** The version {@link ModelRegistry#unpin} would make live, or null when none arrived while pinned. */
    public String unpinVersion() {
        return heldWhilePinned.isEmpty() ? null : heldWhilePinned.get(0);
    }
}
