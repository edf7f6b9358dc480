package io.shears.graph;

import java.util.Arrays;

/**
 * A Slice resolved against concrete dimensions, under ONNX's clamping rules (starts and ends clamp to [0, dim]
 * stepping forward, to [0, dim - 1] and [-1, dim - 1] stepping back). Shape inference and the interpreter's kernel
 * both use it, so the two cannot disagree about what a Slice takes.
 *
 * @param starts per axis, the first index taken
 * @param steps  per axis, the step (1 where the axis is not sliced)
 * @param counts per axis, how many indices are taken
 */
public record SliceWindow(long[] starts, long[] steps, long[] counts) {
    /**
     * @param axes  the sliced axes, negative counting from the end; null for 0..starts.length-1
     * @param steps per sliced axis; null for all 1
     * @throws IllegalArgumentException for a step of 0 or an axis outside the rank
     */
    public static SliceWindow resolve(long[] dims, long[] starts, long[] ends, long[] axes, long[] steps) {
        long[] first = new long[dims.length];
        long[] step = new long[dims.length];
        long[] count = dims.clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            long a = axes == null ? i : axes[i];
            int axis = (int) (a < 0 ? a + dims.length : a);
            if (axis < 0 || axis >= dims.length) {
                throw new IllegalArgumentException("slice axis " + a + " is out of range for rank " + dims.length);
            }
            long dim = dims[axis];
            long s = steps == null ? 1 : steps[i];
            if (s == 0) {
                throw new IllegalArgumentException("slice step is 0");
            }
            long b = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (s > 0) {
                b = Math.max(0, Math.min(b, dim));
                e = Math.max(0, Math.min(e, dim));
                count[axis] = Math.max(0, Math.floorDiv(e - b + s - 1, s));
            } else {
                b = Math.min(Math.max(0, b), dim - 1);
                e = Math.max(-1, Math.min(e, dim - 1));
                count[axis] = Math.max(0, Math.floorDiv(b - e - s - 1, -s));
            }
            first[axis] = b;
            step[axis] = s;
        }
        return new SliceWindow(first, step, count);
    }
}
