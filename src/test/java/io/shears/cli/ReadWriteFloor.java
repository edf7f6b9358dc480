package io.shears.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The floor under {@code shears prune}'s time: read a model and write it back with the same reader, limits and writer
 * that {@code prune} uses, and nothing in between. Not a command of the product; {@code bench/prune-resnet50.sh}
 * runs it with the same jar and launcher as {@code shears prune}, so the two processes differ only by the pruning:
 *
 * <pre>java -Dloader.path=target/test-classes -Dloader.main=io.shears.cli.ReadWriteFloor \
 *     -cp target/shears.jar org.springframework.boot.loader.launch.PropertiesLauncher MODEL OUT.onnx</pre>
 *
 * Prints one line: {@code readMs=.. writeMs=.. totalMs=..} (wall clock inside the JVM, like the report's timings).
 */
public final class ReadWriteFloor {
    private ReadWriteFloor() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ReadWriteFloor MODEL OUT.onnx");
            System.exit(ExitCodes.USAGE);
        }
        long start = System.nanoTime();
        ModelProto model = new ModelReader(ModelLimits.defaults().withMaxBytes(ModelLimits.DEFAULT_MAX_BYTES))
                .read(Path.of(args[0]));
        long read = System.nanoTime();
        ModelWriter.write(model, Path.of(args[1]));
        long written = System.nanoTime();
        System.out.printf(Locale.ROOT, "readMs=%d writeMs=%d totalMs=%d%n",
                (read - start) / 1_000_000, (written - read) / 1_000_000, (written - start) / 1_000_000);
    }
}
