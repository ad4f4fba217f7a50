package dev.funnel.model.batch;

/**
 * One task's outputs: per model output (signature order) a row-major {@code rows × width} array,
 * and the single model version that computed all of them.
 *
 * @param modelVersion the version every row was scored by
 * @param rows         rows scored
 * @param outputs      per output, row-major; owned by the receiver
 */
public record Scores(String modelVersion, int rows, float[][] outputs) {
}
