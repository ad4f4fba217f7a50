/**
 * User profiles and the real-time user features store: {@link dev.funnel.features.profile.UserProfile}
 * (what {@code profile.user} emits), the {@link dev.funnel.features.profile.ProfileStore} interface
 * and its in-process default, whose user embeddings follow clicks as they arrive.
 */
package dev.funnel.features.profile;
