package dev.funnel.trainer.learn;

import java.util.Arrays;

/**
 * One labeled training example: the features serving used for one served item and labels for some
 * heads. Arrays are shared with the impression they came from; nobody modifies them.
 *
 * @param requestId    the request that served the item
 * @param itemId       the item
 * @param userEmbedding user content embedding (may be empty)
 * @param itemEmbedding item content embedding (may be empty)
 * @param fieldIds     one id per field
 * @param wideIds      wide ids ({@link CtrShape#EMPTY_ID} for empty slots)
 * @param dense        dense values
 * @param labels       label per head (0 or 1)
 * @param headMask     bit h set when head h is trained by this sample
 */
public record Sample(String requestId, long itemId, float[] userEmbedding, float[] itemEmbedding, long[] fieldIds,
                     long[] wideIds, float[] dense, float[] labels, int headMask) {

    /** Whether head h carries a label in this sample. */
    public boolean trains(int head) {
        return (headMask & (1 << head)) != 0;
    }

    /** Whether any trained head is positive. */
    public boolean positive() {
        for (int h = 0; h < labels.length; h++) {
            if (trains(h) && labels[h] > 0.5f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Sample{" + requestId + "/" + itemId + ", labels=" + Arrays.toString(labels) + ", mask=" + headMask + "}";
    }
}
