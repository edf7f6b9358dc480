package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.graph.Axes;
import io.shears.graph.Node;
import io.shears.onnx.TensorValues;

import java.util.Arrays;

/**
 * Constant and the operators exporters use to compute shapes at run time (Shape, Size, Gather, Cast,
 * ConstantOfShape, Range). They run on int64 arrays, so a graph that reads its batch size with Shape works at any
 * batch size.
 */
final class ShapeKernels {
    private ShapeKernels() {
    }

    static void register(Kernels.Registrar r) {
        r.add(ctx -> new NDList(ctx.stored(ctx.node().output(0))), "Constant");
        r.add(ShapeKernels::shape, "Shape");
        r.add(ctx -> new NDList(ctx.manager().create(ctx.input(0).getShape().size())), "Size");
        r.add(ShapeKernels::gather, "Gather");
        r.add(OpKernel.checked(ShapeKernels::checkCast, ShapeKernels::cast), "Cast");
        r.add(ShapeKernels::constantOfShape, "ConstantOfShape");
        r.add(ShapeKernels::range, "Range");
    }

    static NDList shape(KernelContext ctx) {
        long[] dims = ShapeMath.dims(ctx.input(0));
        int rank = dims.length;
        long start = ctx.node().attrInt("start", 0);
        long end = ctx.node().attrInt("end", rank);
        int s = (int) Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        int e = (int) Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
        return new NDList(ctx.manager().create(Arrays.copyOfRange(dims, s, Math.max(s, e))));
    }

    /** out = data[..., indices, ...] on the axis, negative indices counting from the end; indices of any rank. */
    static NDList gather(KernelContext ctx) {
        NDArray data = ctx.input(0);
        NDArray indices = ctx.input(1).toType(DataType.INT64, false);
        long[] dims = ShapeMath.dims(data);
        int axis = Axes.normalize(ctx.node().attrInt("axis", 0), dims.length);
        NDArray flat = indices.reshape(-1);
        NDArray positive = flat.add(flat.lt(0).toType(DataType.INT64, false).mul(dims[axis]));
        NDArray picked = AxisIndex.take(data, axis, positive);
        long[] indexDims = ShapeMath.dims(indices);
        long[] out = new long[dims.length - 1 + indexDims.length];
        System.arraycopy(dims, 0, out, 0, axis);
        System.arraycopy(indexDims, 0, out, axis, indexDims.length);
        System.arraycopy(dims, axis + 1, out, axis + indexDims.length, dims.length - axis - 1);
        return new NDList(picked.reshape(new Shape(out)));
    }

    private static void checkCast(Node node, int opset) {
        if (ElementTypes.forOnnx((int) node.attrInt("to", 0)) == null) {
            throw Kernels.unsupported(node, "Cast to element type " + node.attrInt("to", 0) + " is not supported");
        }
    }

    /** Float to integer truncates toward zero (as ONNX and PyTorch do); anything non-zero is true. */
    static NDList cast(KernelContext ctx) {
        DataType target = ElementTypes.forOnnx((int) ctx.node().attrInt("to", 0));
        NDArray x = ctx.input(0);
        return new NDList(x.getDataType() == target ? x : x.toType(target, false));
    }

    static NDList constantOfShape(KernelContext ctx) {
        Shape shape = new Shape(ctx.longs(0));
        TensorProto value = ctx.node().attrTensor("value");
        DataType type = value == null ? DataType.FLOAT32 : ElementTypes.forOnnx(value.getDataType());
        if (type == null) {
            throw ctx.unsupported("ConstantOfShape of element type " + value.getDataType() + " is not supported");
        }
        if (type == DataType.FLOAT32) {
            float fill = value == null ? 0f : TensorValues.floats(value)[0];
            return new NDList(ctx.manager().full(shape, fill, DataType.FLOAT32));
        }
        long fill = TensorValues.longs(value)[0];
        NDArray filled = ctx.manager().zeros(shape, DataType.INT64).add(fill);
        return new NDList(type == DataType.BOOLEAN ? filled.toType(DataType.BOOLEAN, false) : filled);
    }

    /** start + i * delta for i below ceil((limit - start) / delta), the count computed as ONNX defines it. */
    static NDList range(KernelContext ctx) {
        DataType type = ctx.input(0).getDataType();
        if (type.isInteger()) {
            long start = ctx.longs(0)[0];
            long limit = ctx.longs(1)[0];
            long delta = ctx.longs(2)[0];
            long count = Math.max(0, (long) Math.ceil((double) (limit - start) / delta));
            return new NDList(ctx.manager().arange(0, (int) count, 1, DataType.INT64).mul(delta).add(start));
        }
        float start = ctx.floats(0)[0];
        float limit = ctx.floats(1)[0];
        float delta = ctx.floats(2)[0];
        long count = Math.max(0, (long) Math.ceil((limit - start) / delta));
        return new NDList(ctx.manager().arange(0, (int) count, 1, DataType.FLOAT32).mul(delta).add(start));
    }
}
