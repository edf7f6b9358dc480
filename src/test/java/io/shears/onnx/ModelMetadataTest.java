package io.shears.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelMetadataTest {
    private static ModelProto exported() {
        return TestGraphs.resnetBasicBlocks().build(17).toBuilder().setProducerName("pytorch")
                .setProducerVersion("2.5.1")
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("someone"))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("x.old").setValue("stale"))
                .build();
    }

    @Test
    void theStampNamesTheProducerAndKeepsTheExportersEntries() {
        ModelProto stamped = ModelMetadata.stamp(exported(), "Shears", "1.2.3", "x.",
                Map.of("x.b", "2", "x.a", "1"));
        assertThat(stamped.getProducerName()).isEqualTo("Shears");
        assertThat(stamped.getProducerVersion()).isEqualTo("1.2.3");
        assertThat(stamped.getMetadataPropsList()).extracting(StringStringEntryProto::getKey)
                .containsExactly("author", "x.a", "x.b");
        assertThat(ModelMetadata.properties(stamped)).containsEntry("author", "someone").containsEntry("x.a", "1")
                .doesNotContainKey("x.old");
    }

    @Test
    void stampingAgainReplacesTheStampAndGivesTheSameBytes() {
        ModelProto once = ModelMetadata.stamp(exported(), "Shears", "1", "x.", Map.of("x.a", "1", "x.b", "2"));
        ModelProto twice = ModelMetadata.stamp(once, "Shears", "1", "x.", Map.of("x.b", "2", "x.a", "1"));
        assertThat(ModelWriter.toBytes(twice)).isEqualTo(ModelWriter.toBytes(once));
        ModelProto other = ModelMetadata.stamp(once, "Shears", "1", "x.", Map.of("x.c", "3"));
        assertThat(ModelMetadata.properties(other)).containsOnlyKeys("author", "x.c");
    }

    @Test
    void aKeyOutsideTheNamespaceIsRefused() {
        assertThatThrownBy(() -> ModelMetadata.stamp(exported(), "Shears", "1", "x.", Map.of("author", "me")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("author");
    }
}
