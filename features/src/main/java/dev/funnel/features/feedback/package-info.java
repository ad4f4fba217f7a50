/**
 * What clients report about served items ({@code POST /v1/feedback}): the
 * {@link dev.funnel.features.feedback.FeedbackEvent} record, its validation from decoded JSON
 * ({@link dev.funnel.features.feedback.FeedbackParser}), and the
 * {@link dev.funnel.features.feedback.FeedbackSink} the learning loop implements with its stream
 * (until then, the bounded {@link dev.funnel.features.feedback.BufferedFeedbackSink}).
 */
package dev.funnel.features.feedback;
