package dev.funnel.trainer.join;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Counters of the label join since the trainer first started (they survive restarts via checkpoints). */
public final class JoinStats {

    long impressions;
    long duplicateImpressions;
    long lateImpressions;
    long servedItems;
    long feedback;
    long duplicateFeedback;
    long lateFeedback;
    long orphanFeedback;
    long unknownItemFeedback;
    long positives;
    long negatives;
    long corrections;

    public long impressions() {
        return impressions;
    }

    public long duplicateImpressions() {
        return duplicateImpressions;
    }

    public long lateImpressions() {
        return lateImpressions;
    }

    /** Items of accepted impressions. */
    public long servedItems() {
        return servedItems;
    }

    public long feedback() {
        return feedback;
    }

    public long duplicateFeedback() {
        return duplicateFeedback;
    }

    public long lateFeedback() {
        return lateFeedback;
    }

    /** Feedback whose impression never arrived within the window. */
    public long orphanFeedback() {
        return orphanFeedback;
    }

    public long unknownItemFeedback() {
        return unknownItemFeedback;
    }

    /** Positive samples emitted. */
    public long positives() {
        return positives;
    }

    /** Negative samples emitted. */
    public long negatives() {
        return negatives;
    }

    /** Positives that arrived after their item's negative was emitted. */
    public long corrections() {
        return corrections;
    }

    void write(DataOutputStream o) throws IOException {
        for (long v : new long[]{impressions, duplicateImpressions, lateImpressions, servedItems, feedback, duplicateFeedback,
                lateFeedback, orphanFeedback, unknownItemFeedback, positives, negatives, corrections}) {
            o.writeLong(v);
        }
    }

    void read(DataInputStream in) throws IOException {
        impressions = in.readLong();
        duplicateImpressions = in.readLong();
        lateImpressions = in.readLong();
        servedItems = in.readLong();
        feedback = in.readLong();
        duplicateFeedback = in.readLong();
        lateFeedback = in.readLong();
        orphanFeedback = in.readLong();
        unknownItemFeedback = in.readLong();
        positives = in.readLong();
        negatives = in.readLong();
        corrections = in.readLong();
    }

    @Override
    public String toString() {
        return "JoinStats{impressions=" + impressions + ", dupImpressions=" + duplicateImpressions + ", servedItems=" + servedItems
                + ", feedback=" + feedback + ", dupFeedback=" + duplicateFeedback + ", late=" + lateFeedback + ", orphans="
                + orphanFeedback + ", positives=" + positives + ", negatives=" + negatives + ", corrections=" + corrections + "}";
    }
}
