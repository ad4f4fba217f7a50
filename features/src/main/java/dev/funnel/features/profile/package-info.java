/** User profiles and the real-time user features store. */
package dev.funnel.features.profile;
