package dev.funnel.trainer.join;

import dev.funnel.streams.schema.Feedback;
import dev.funnel.streams.schema.ImpressionLog;
import dev.funnel.trainer.learn.Sample;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Joins impressions with feedback by (request, item) in event time.
 *
 * <ul>
 *   <li>A positive event (per head: {@code click} ← click/convert, {@code like} ← like, other heads by
 *       event name) emits a positive sample for that head at once.</li>
 *   <li>When the watermark passes impression time + {@code negativeDelayMillis}, each served item
 *       emits one sample with label 0 for every head not yet positive (fast emit).</li>
 *   <li>A positive after that, still inside {@code windowMillis}, is emitted as well (a correction,
 *       counted); feedback after the window is dropped and counted late.</li>
 *   <li>A repeated impression (same request id) or repeated event (same request, item, event) is
 *       dropped and counted. Feedback that arrives before its impression waits for it, within the
 *       window (at most {@link JoinConfig#maxEarlyFeedback()} events; beyond it the oldest request's are
 *       dropped and counted as orphans).</li>
 *   <li>Feedback without a request id (an empty one on the stream) can never join: it is counted as an
 *       orphan at once and not kept. (It once waited in one list, deduplicated by a linear scan per
 *       event: quadratic in such events, freed only when its first entry left the window.)</li>
 * </ul>
 * Single-threaded (the trainer's loop). Its whole state can be checkpointed; a checkpoint writes
 * each pending impression's bytes once (to an {@link ImpressionSpill}) and afterwards only its small
 * mutable state, so its cost follows the traffic since the last checkpoint, not the window.
 */
public final class LabelJoiner {

    private final JoinConfig config;
    private final List<String> heads;
    private final int allHeads;
    private final Consumer<Sample> out;
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
    /** Feedback waiting for its impression, by request id, the earliest-arrived request first. */
    private final LinkedHashMap<String, List<Feedback>> orphans = new LinkedHashMap<>();
    /** The (request, item, event) of every waiting feedback event: duplicates are found without a scan. */
    private final Set<EventKey> orphanKeys = new HashSet<>();
    /** Request ids whose window closed recently, so a replayed impression is still recognised. */
    private final LinkedHashMap<String, Long> closed = new LinkedHashMap<>();
    private long watermarkMillis = Long.MIN_VALUE;
    private final JoinStats stats = new JoinStats();

    public LabelJoiner(JoinConfig config, List<String> heads, Consumer<Sample> out) {
        if (heads.isEmpty() || heads.size() > 30) {
            throw new IllegalArgumentException("join: need 1..30 heads, got " + heads);
        }
        this.config = config;
        this.heads = List.copyOf(heads);
        this.allHeads = (1 << heads.size()) - 1;
        this.out = out;
    }

    public JoinStats stats() {
        return stats;
    }

    public long watermarkMillis() {
        return watermarkMillis;
    }

    /** Requests waiting for feedback or for their negative delay. */
    public int pendingRequests() {
        return pending.size();
    }

    /** Feedback events waiting for their impression (bounded by {@link JoinConfig#maxEarlyFeedback()}). */
    public int earlyFeedbackEvents() {
        return orphanKeys.size();
    }

    /** Bits of the heads a feedback event is positive for. */
    int headMask(Feedback.Event e) {
        int m = 0;
        for (int h = 0; h < heads.size(); h++) {
            String name = heads.get(h);
            boolean hit = switch (name) {
                case "click" -> e == Feedback.Event.CLICK || e == Feedback.Event.CONVERT;
                case "like" -> e == Feedback.Event.LIKE;
                default -> e.isPositive() && e.name().equalsIgnoreCase(name);
            };
            if (hit) {
                m |= 1 << h;
            }
        }
        return m;
    }

    /** An impression: its items wait for feedback. A checkpoint encodes it again to spill it. */
    public void onImpression(ImpressionLog log) {
        onImpression(log, null);
    }

    /**
     * An impression with the bytes it was decoded from (owned by the joiner from now on): a
     * checkpoint spills these rather than encoding the impression again.
     */
    public void onImpression(ImpressionLog log, byte[] encoded) {
        stats.impressions++;
        if (pending.containsKey(log.requestId()) || closed.containsKey(log.requestId())) {
            stats.duplicateImpressions++;
            return;
        }
        if (log.timestampMillis() + config.windowMillis() < watermarkMillis) {
            stats.lateImpressions++;
            return;
        }
        Pending p = new Pending(log);
        p.encoded = encoded;
        pending.put(log.requestId(), p);
        stats.servedItems += log.items().size();
        List<Feedback> early = removeOrphans(log.requestId());
        if (early != null) {
            for (Feedback f : early) {
                apply(p, f);
            }
        }
    }

    /** A feedback event. */
    public void onFeedback(Feedback f) {
        stats.feedback++;
        Pending p = pending.get(f.requestId());
        if (p == null) {
            if (closed.containsKey(f.requestId()) || f.timestampMillis() + config.windowMillis() < watermarkMillis) {
                stats.lateFeedback++;
                return;
            }
            if (f.requestId().isEmpty()) {
                stats.orphanFeedback++; // no impression has an empty request id: it would only wait and expire
                return;
            }
            addOrphan(f);
            return;
        }
        apply(p, f);
    }

    private void apply(Pending p, Feedback f) {
        int idx = p.indexOf(f.itemId());
        if (idx < 0) {
            stats.unknownItemFeedback++;
            return;
        }
        if (!p.seenEvents.add(f.itemId() + ":" + f.event().ordinal())) {
            stats.duplicateFeedback++;
            return;
        }
        if (f.timestampMillis() > p.log.timestampMillis() + config.windowMillis()) {
            stats.lateFeedback++;
            return;
        }
        int mask = headMask(f.event()) & ~p.positive[idx];
        if (mask == 0) {
            return;
        }
        p.positive[idx] |= mask;
        float[] labels = new float[heads.size()];
        for (int h = 0; h < labels.length; h++) {
            if ((mask & (1 << h)) != 0) {
                labels[h] = 1f;
            }
        }
        if (p.negativeEmitted) {
            stats.corrections++;
        }
        stats.positives++;
        out.accept(sample(p, idx, labels, mask));
    }

    private Sample sample(Pending p, int idx, float[] labels, int mask) {
        ImpressionLog.Served s = p.log.items().get(idx);
        return new Sample(p.log.requestId(), s.itemId(), p.log.userEmbedding(), s.itemEmbedding(), s.fieldIds(),
                s.wideIds(), s.dense(), labels, mask);
    }

    /**
     * Moves event time forward (never back): emits negatives that are due and closes windows that
     * ended.
     */
    public void advanceTo(long watermark) {
        if (watermark <= watermarkMillis) {
            return;
        }
        watermarkMillis = watermark;
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            long ts = p.log.timestampMillis();
            if (!p.negativeEmitted && ts + config.negativeDelayMillis() <= watermark) {
                p.negativeEmitted = true;
                for (int i = 0; i < p.positive.length; i++) {
                    int mask = allHeads & ~p.positive[i];
                    if (mask != 0) {
                        stats.negatives++;
                        out.accept(sample(p, i, new float[heads.size()], mask));
                    }
                }
            }
            if (ts + config.windowMillis() < watermark) {
                it.remove();
                closed.put(p.log.requestId(), ts);
            }
        }
        orphans.values().removeIf(list -> {
            boolean expired = list.get(0).timestampMillis() + config.windowMillis() < watermark;
            if (expired) {
                stats.orphanFeedback += list.size();
                forgetKeys(list);
            }
            return expired;
        });
        // Closed ids are kept for one more window, to recognise replays.
        closed.values().removeIf(ts -> ts + 2 * config.windowMillis() < watermark);
    }

    /**
     * Moves event time back, only to repair a watermark that a bad (far-future) timestamp moved ahead
     * of real time: pending impressions and closed windows are kept as they are.
     */
    public void rewindWatermark(long watermark) {
        if (watermark < watermarkMillis) {
            watermarkMillis = watermark;
        }
    }

    /** Keeps {@code f} until its impression arrives; drops a duplicate, and the oldest request's beyond the bound. */
    private void addOrphan(Feedback f) {
        if (!orphanKeys.add(new EventKey(f.requestId(), f.itemId(), f.event()))) {
            stats.duplicateFeedback++;
            return;
        }
        orphans.computeIfAbsent(f.requestId(), k -> new ArrayList<>(2)).add(f);
        while (orphanKeys.size() > config.maxEarlyFeedback()) {
            Iterator<List<Feedback>> oldest = orphans.values().iterator();
            List<Feedback> dropped = oldest.next();
            oldest.remove();
            stats.orphanFeedback += dropped.size();
            forgetKeys(dropped);
        }
    }

    private List<Feedback> removeOrphans(String requestId) {
        List<Feedback> list = orphans.remove(requestId);
        if (list != null) {
            forgetKeys(list);
        }
        return list;
    }

    private void forgetKeys(List<Feedback> list) {
        for (Feedback f : list) {
            orphanKeys.remove(new EventKey(f.requestId(), f.itemId(), f.event()));
        }
    }

    /** One feedback event's identity for deduplication. */
    private record EventKey(String requestId, long itemId, Feedback.Event event) {
    }

    private static final class Pending {
        final ImpressionLog log;
        final int[] positive;
        final Set<String> seenEvents = new HashSet<>(4);
        boolean negativeEmitted;
        /** The impression's bytes until a checkpoint spills them (null: encode when spilling). */
        byte[] encoded;
        /** Where a checkpoint spilled the bytes; -1 before. */
        long spillOffset = -1;
        int spillLength;

        Pending(ImpressionLog log) {
            this.log = log;
            this.positive = new int[log.items().size()];
        }

        int indexOf(long itemId) {
            List<ImpressionLog.Served> items = log.items();
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i).itemId() == itemId) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * Writes the join state (pending impressions, early feedback, recent request ids, counters).
     * Impressions not spilled yet are appended to {@code spill} first (compacting it when most of it is
     * dead); the stream gets their spill ranges. Call {@link ImpressionSpill#committed()} once the
     * stream is durably in place.
     */
    public void writeState(DataOutputStream o, ImpressionSpill spill) throws IOException {
        try {
            spill(spill);
        } catch (IOException e) {
            spill.failed(e);
            throw e;
        }
        o.writeLong(watermarkMillis);
        o.writeLong(spill.generation());
        o.writeLong(spill.end());
        o.writeInt(pending.size());
        for (Pending p : pending.values()) {
            o.writeLong(p.spillOffset);
            o.writeInt(p.spillLength);
            writeMutable(o, p);
        }
        writeRest(o);
    }

    private void spill(ImpressionSpill spill) throws IOException {
        long liveBytes = 0;
        for (Pending p : pending.values()) {
            if (p.spillOffset >= 0) {
                liveBytes += p.spillLength;
            }
        }
        if (spill.shouldCompact(liveBytes)) {
            spill.compactInto();
            for (Pending p : pending.values()) {
                if (p.spillOffset >= 0) {
                    p.spillOffset = spill.copyFromPrevious(p.spillOffset, p.spillLength);
                }
            }
        }
        for (Pending p : pending.values()) {
            if (p.spillOffset < 0) {
                byte[] enc = p.encoded != null ? p.encoded : p.log.encode();
                p.spillOffset = spill.append(enc);
                p.spillLength = enc.length;
                p.encoded = null;
            }
        }
    }

    private static void writeMutable(DataOutputStream o, Pending p) throws IOException {
        for (int m : p.positive) {
            o.writeInt(m);
        }
        o.writeBoolean(p.negativeEmitted);
        o.writeInt(p.seenEvents.size());
        for (String s : p.seenEvents) {
            o.writeUTF(s);
        }
    }

    private void writeRest(DataOutputStream o) throws IOException {
        o.writeInt(orphans.size());
        for (List<Feedback> list : orphans.values()) {
            o.writeInt(list.size());
            for (Feedback f : list) {
                byte[] enc = f.encode();
                o.writeInt(enc.length);
                o.write(enc);
            }
        }
        o.writeInt(closed.size());
        for (Map.Entry<String, Long> e : closed.entrySet()) {
            o.writeUTF(e.getKey());
            o.writeLong(e.getValue());
        }
        stats.write(o);
    }

    /** Restores state written by {@link #writeState}, reading the impressions back from {@code spill}. */
    public void readState(DataInputStream in, ImpressionSpill spill) throws IOException {
        clear();
        watermarkMillis = in.readLong();
        spill.open(in.readLong(), in.readLong());
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long offset = in.readLong();
            int length = in.readInt();
            Pending p = new Pending(ImpressionLog.decode(ByteBuffer.wrap(spill.read(offset, length))));
            p.spillOffset = offset;
            p.spillLength = length;
            readMutable(in, p);
            pending.put(p.log.requestId(), p);
        }
        readRest(in);
    }

    private void clear() {
        pending.clear();
        orphans.clear();
        orphanKeys.clear();
        closed.clear();
    }

    private static void readMutable(DataInputStream in, Pending p) throws IOException {
        for (int j = 0; j < p.positive.length; j++) {
            p.positive[j] = in.readInt();
        }
        p.negativeEmitted = in.readBoolean();
        int k = in.readInt();
        for (int j = 0; j < k; j++) {
            p.seenEvents.add(in.readUTF());
        }
    }

    /**
     * Restores join state of a format-1 trainer checkpoint, which held every pending impression inline;
     * the next {@link #writeState} spills them.
     */
    public void readStateInline(DataInputStream in) throws IOException {
        clear();
        watermarkMillis = in.readLong();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            byte[] enc = new byte[in.readInt()];
            in.readFully(enc);
            Pending p = new Pending(ImpressionLog.decode(ByteBuffer.wrap(enc)));
            p.encoded = enc;
            readMutable(in, p);
            pending.put(p.log.requestId(), p);
        }
        readRest(in);
    }

    private void readRest(DataInputStream in) throws IOException {
        int o = in.readInt();
        List<Feedback> waiting = new ArrayList<>();
        for (int i = 0; i < o; i++) {
            int k = in.readInt();
            for (int j = 0; j < k; j++) {
                byte[] enc = new byte[in.readInt()];
                in.readFully(enc);
                waiting.add(Feedback.decode(ByteBuffer.wrap(enc)));
            }
        }
        int c = in.readInt();
        for (int i = 0; i < c; i++) {
            closed.put(in.readUTF(), in.readLong());
        }
        stats.read(in);
        for (Feedback f : waiting) {
            // A checkpoint written before empty request ids were counted at once holds them in one list.
            if (f.requestId().isEmpty()) {
                stats.orphanFeedback++;
            } else {
                addOrphan(f);
            }
        }
    }
}
