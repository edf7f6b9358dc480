package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.engine.NodeModel;
import io.shears.onnx.TensorValues;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.shears.engine.NodeModel.floatAttr;
import static io.shears.engine.NodeModel.floatsAttr;
import static io.shears.engine.NodeModel.intAttr;
import static io.shears.engine.NodeModel.intsAttr;
import static io.shears.engine.NodeModel.tensorAttr;

/** Shape arithmetic evaluated at run time, Gather, Cast and Constant against ONNX Runtime. */
class ShapeKernelTest {
    private static final long[] X = {2, 3, 4, 5};

    @Test
    void shapeWithStartAndEndAndSize() {
        NodeModel m = new NodeModel(1, X);
        m.node("Shape", List.of(NodeModel.INPUT), List.of("all"));
        m.node("Shape", List.of(NodeModel.INPUT), List.of("tail"), intAttr("start", -2));
        m.node("Shape", List.of(NodeModel.INPUT), List.of("middle"), intAttr("start", 1), intAttr("end", -1));
        m.node("Size", List.of(NodeModel.INPUT), List.of("size"));
        m.outputAsFloat("all").outputAsFloat("tail").outputAsFloat("middle").outputAsFloat("size");
        KernelCheck.matchesOrt(m, 15, "Shape and Size");
    }

    @Test
    void gatherOnEveryAxisWithNegativeAndMatrixIndices() {
        for (int axis : new int[] {0, 1, 3, -1}) {
            NodeModel m = new NodeModel(axis, X);
            m.single("Gather", List.of(NodeModel.INPUT, m.longs("indices", 0, -1, 1)), intAttr("axis", axis));
            KernelCheck.matchesOrt(m, 13, "Gather axis " + axis);
        }
        NodeModel matrix = new NodeModel(5, X);
        matrix.initializer(TensorValues.longTensor("indices", new long[] {2, 2}, new long[] {3, 0, -2, 1}));
        matrix.single("Gather", List.of(NodeModel.INPUT, "indices"), intAttr("axis", 2));
        KernelCheck.matchesOrt(matrix, 13, "Gather with 2-D indices");
        NodeModel scalar = new NodeModel(6, X);
        scalar.single("Gather", List.of(NodeModel.INPUT, scalar.longScalar("index", -1)), intAttr("axis", 1));
        KernelCheck.matchesOrt(scalar, 13, "Gather of a scalar index drops the axis");
    }

    /** The pattern exporters write to flatten by the run-time batch size: Shape, Gather, Unsqueeze, Concat, Reshape. */
    @Test
    void runTimeShapeArithmeticFollowsTheBatch() {
        for (long batch : new long[] {1, 3}) {
            long[] shape = {batch, 3, 4, 5};
            NodeModel m = new NodeModel(batch, shape);
            m.node("Shape", List.of(NodeModel.INPUT), List.of("shape"));
            m.node("Gather", List.of("shape", m.longScalar("zero", 0)), List.of("batch"), intAttr("axis", 0));
            m.node("Unsqueeze", List.of("batch", m.longs("axes", 0)), List.of("batch1"));
            m.node("Concat", List.of("batch1", m.longs("minus1", -1)), List.of("target"), intAttr("axis", 0));
            m.node("Reshape", List.of(NodeModel.INPUT, "target"), List.of("y"));
            m.output("y");
            KernelCheck.matchesOrt(m, 13, "flatten by the run-time batch " + batch);
        }
    }

    @Test
    void castBetweenFloatIntegerAndBool() {
        NodeModel m = new NodeModel(2, X);
        m.node("Mul", List.of(NodeModel.INPUT, m.scalar("scale", 3f)), List.of("scaled"));
        m.node("Cast", List.of("scaled"), List.of("ints"), intAttr("to", TensorProto.DataType.INT32_VALUE));
        m.node("Cast", List.of("ints"), List.of("flags"), intAttr("to", TensorProto.DataType.BOOL_VALUE));
        m.node("Cast", List.of("scaled"), List.of("doubles"), intAttr("to", TensorProto.DataType.DOUBLE_VALUE));
        m.outputAsFloat("ints").outputAsFloat("flags").outputAsFloat("doubles");
        KernelCheck.matchesOrt(m, 13, "Cast");
    }

    @Test
    void constantOfShapeAndRange() {
        NodeModel m = new NodeModel(3, X);
        m.node("Shape", List.of(NodeModel.INPUT), List.of("shape"));
        m.node("ConstantOfShape", List.of("shape"), List.of("filled"),
                tensorAttr("value", TensorValues.floatTensor("value", new long[] {1}, new float[] {2.5f})));
        m.node("ConstantOfShape", List.of("shape"), List.of("zeros"));
        m.node("ConstantOfShape", List.of(m.longs("dims", 2, 3)), List.of("sevens"),
                tensorAttr("value", TensorValues.longTensor("value", new long[] {1}, new long[] {7})));
        m.node("Add", List.of(NodeModel.INPUT, "filled"), List.of("sum"));
        m.node("Range", List.of(m.longScalar("start", 5), m.longScalar("limit", -4), m.longScalar("delta", -3)),
                List.of("ints"));
        m.node("Range", List.of(m.scalar("fstart", 0.5f), m.scalar("flimit", 2.2f), m.scalar("fdelta", 0.3f)),
                List.of("floats"));
        m.output("sum").output("zeros").outputAsFloat("sevens").outputAsFloat("ints").output("floats");
        KernelCheck.matchesOrt(m, 13, "ConstantOfShape and Range");
    }

    @Test
    void constantInEveryAttributeForm() {
        NodeModel m = new NodeModel(4, X);
        m.node("Constant", List.of(), List.of("tensor"),
                tensorAttr("value", TensorValues.floatTensor("v", new long[] {5}, new float[] {1, 2, 3, 4, 5})));
        m.node("Constant", List.of(), List.of("scalar"), floatAttr("value_float", 0.5f));
        m.node("Constant", List.of(), List.of("vector"), floatsAttr("value_floats", 1, -1, 2, -2, 3));
        m.node("Constant", List.of(), List.of("ints"), intsAttr("value_ints", 2, 60));
        m.node("Mul", List.of(NodeModel.INPUT, "tensor"), List.of("a"));
        m.node("Add", List.of("a", "scalar"), List.of("b"));
        m.node("Sub", List.of("b", "vector"), List.of("c"));
        m.node("Reshape", List.of("c", "ints"), List.of("y"));
        m.output("y");
        KernelCheck.matchesOrt(m, 13, "Constant forms");
    }
}
