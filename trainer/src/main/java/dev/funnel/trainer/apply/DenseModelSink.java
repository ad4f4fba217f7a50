package dev.funnel.trainer.apply;

import dev.funnel.streams.schema.ModelDelta;

/** Receives dense snapshots (e.g. swaps them into the model registry). Called on the consumer thread. */
@FunctionalInterface
public interface DenseModelSink {

    /**
     * Installs the snapshot. Throwing rejects the delta (counted, the version is not advanced).
     *
     * @param delta a {@link ModelDelta.Kind#DENSE} delta with its ONNX bytes
     */
    void swap(ModelDelta delta) throws Exception;
}
