package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;

/** The pruned model and the report of how it was made. */
public record PruningResult(ModelProto model, PruningReport report) {
}
