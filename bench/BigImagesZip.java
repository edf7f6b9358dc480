import java.io.*;
import java.nio.ByteBuffer;
import java.util.zip.*;

/** Writes a zip of 8 RGB PNGs of 16384 × 6100 pixels (about 2 MB): the archive of the dataset upload RSS benchmark. */
public class BigImagesZip {
    public static void main(String[] a) throws Exception {
        int w = 16384, h = 6100;
        try (ZipOutputStream zip = new ZipOutputStream(new FileOutputStream(a[0]))) {
            for (int i = 0; i < 8; i++) {
                zip.putNextEntry(new ZipEntry("train/" + (i < 4 ? "a" : "b") + "/" + i + ".png"));
                zip.write(png(w, h, i));
                zip.closeEntry();
            }
        }
    }

    /** Blocks of 256 pixels: a 100-megapixel image compresses to about 270 KB. */
    static byte[] png(int w, int h, int seed) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            byte[] row = new byte[1 + 3 * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    row[1 + 3 * x] = (byte) ((x >> 8) * 4 + seed);
                    row[2 + 3 * x] = (byte) ((y >> 8) * 10);
                    row[3 + 3 * x] = (byte) (((x >> 8) ^ (y >> 8)) * 3);
                }
                z.write(row);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes("US-ASCII");
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
