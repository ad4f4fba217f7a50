package dev.funnel.server.admission;

/**
 * Picks a given share of a stream of arrivals, spread evenly (every other one at 0.5, one in four
 * at 0.25), with no randomness: a running credit grows by the share at each arrival and each time
 * it reaches 1 that arrival is picked. One owner thread (an event loop); not thread-safe.
 */
final class EvenShare {

    private double credit;

    /** Whether to pick the arrival happening now, with {@code share} (0 to 1) the share to pick. */
    boolean pick(double share) {
        if (share <= 0) {
            if (credit != 0) {
                credit = 0; // written only when it changes: this runs on every request of the loop
            }
            return false;
        }
        credit += share;
        if (credit >= 1.0 - 1e-9) {
            credit -= 1.0;
            return true;
        }
        return false;
    }
}
