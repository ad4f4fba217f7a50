/**
 * Label join: impressions (with their logged features) joined with feedback by request and item
 * within a window, in event time; positives at once, negatives after a short delay (fast emit),
 * duplicates dropped.
 */
package dev.funnel.trainer.join;
