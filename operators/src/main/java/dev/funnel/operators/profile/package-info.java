/** Operators that load what serving knows about the user: {@code profile.user}. */
package dev.funnel.operators.profile;
