/**
 * The online learner for the {@code ctr} model that {@code rank.onnx} serves: wide logistic part
 * (FTRL over hashed wide ids), field embeddings (AdaGrad rows with frequency admission and expiry,
 * as the serving tables), dense MLP (Adam), one pass over joined samples. {@link
 * dev.funnel.trainer.learn.CtrMath} is the model function shared by learner and any Java scorer.
 */
package dev.funnel.trainer.learn;
