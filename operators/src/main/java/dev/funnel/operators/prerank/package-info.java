/** Pre-ranking operators: {@code prerank.two_tower} ({@link dev.funnel.operators.prerank.TwoTowerPrerank}). */
package dev.funnel.operators.prerank;
