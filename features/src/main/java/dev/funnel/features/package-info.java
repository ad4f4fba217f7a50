/**
 * The one feature-extraction library that serving and training share: hashing of sparse values
 * ({@link dev.funnel.features.FeatureHash}), the versioned
 * {@link dev.funnel.features.FeatureSchema} (sparse fields, crosses, buckets, dense features) and
 * the {@link dev.funnel.features.FeatureExtractor} that turns a user, a request context and
 * candidate items into a columnar {@link dev.funnel.features.FeatureBatch}. The ranker logs the
 * batch it scored with; the trainer re-derives nothing, so it learns on exactly what serving saw.
 */
package dev.funnel.features;
