/**
 * The operator SPI: what an operator implements ({@link dev.funnel.engine.spi.Operator},
 * {@link dev.funnel.engine.spi.OperatorFactory}), what it receives ({@link dev.funnel.engine.spi.Inputs},
 * {@link dev.funnel.engine.spi.RequestContext}, {@link dev.funnel.engine.spi.Params}) and the
 * common currency of the recall → rank pipeline ({@link dev.funnel.engine.spi.Candidates}).
 *
 * <p>Operators are discovered with {@link java.util.ServiceLoader} by their factories; a factory
 * pulls the services it needs (index, exposure store, model registry…) from an
 * {@link dev.funnel.engine.spi.OperatorEnv} that the server wires. The engine knows none of them.
 */
package dev.funnel.engine.spi;
