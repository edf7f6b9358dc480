package io.shears.data;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** Generated images, IDX files and real zip / tar.gz archives for the dataset tests. A null entry is a folder. */
final class Fixtures {
    private Fixtures() {
    }

    // ---- images

    /** 8-bit grey PNG, {@code value(x, y)} in 0..255. */
    static byte[] greyPng(int w, int h, IntBinaryOperator value) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        return encode(image, "png");
    }

    /** 16-bit grey PNG, {@code value(x, y)} in 0..65535. */
    static byte[] grey16Png(int w, int h, IntBinaryOperator value) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        return encode(image, "png");
    }

    /** RGB PNG, {@code rgb(x, y)} as 0xRRGGBB. */
    static byte[] rgbPng(int w, int h, IntBinaryOperator rgb) {
        return encode(rgbImage(w, h, rgb, BufferedImage.TYPE_INT_RGB), "png");
    }

    /** RGBA PNG, {@code argb(x, y)} as 0xAARRGGBB. */
    static byte[] argbPng(int w, int h, IntBinaryOperator argb) {
        return encode(rgbImage(w, h, argb, BufferedImage.TYPE_INT_ARGB), "png");
    }

    static byte[] rgbJpeg(int w, int h, IntBinaryOperator rgb) {
        return encode(rgbImage(w, h, rgb, BufferedImage.TYPE_3BYTE_BGR), "jpeg");
    }

    /** A progressive JPEG (several scans; ImageIO decodes it with a buffer of every coefficient). */
    static byte[] progressiveJpeg(int w, int h, IntBinaryOperator rgb) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(rgbImage(w, h, rgb, BufferedImage.TYPE_3BYTE_BGR), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static byte[] greyJpeg(int w, int h, IntBinaryOperator value) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        return encode(image, "jpeg");
    }

    /** A PNG with a palette of the given 0xRRGGBB entries; {@code index(x, y)} picks one. */
    static byte[] palettePng(int w, int h, int[] palette, IntBinaryOperator index) {
        byte[] r = new byte[palette.length];
        byte[] g = new byte[palette.length];
        byte[] b = new byte[palette.length];
        for (int i = 0; i < palette.length; i++) {
            r[i] = (byte) (palette[i] >> 16);
            g[i] = (byte) (palette[i] >> 8);
            b[i] = (byte) palette[i];
        }
        IndexColorModel cm = new IndexColorModel(8, palette.length, r, g, b);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, index.applyAsInt(x, y));
            }
        }
        return encode(image, "png");
    }

    /** A small grey PNG whose pixels encode {@code seed}, so that images differ. */
    static byte[] smallPng(int seed) {
        return greyPng(4, 4, (x, y) -> (seed * 7 + x * 16 + y * 3) & 0xff);
    }

    /**
     * A PNG that declares {@code w × h} pixels in its header but carries no pixel data: a decoder that trusted it
     * would allocate the whole image (or report a corrupt file); one that checks the header first refuses it.
     */
    static byte[] pngHeaderOnly(int w, int h) {
        return png(w, h, 0, null);
    }

    /**
     * An 8-bit RGB PNG written row by row, never held as an image, so that a test can make one of 100 megapixels in
     * a few seconds and a few megabytes: {@code rgb(x, y)} as 0xRRGGBB.
     */
    static byte[] streamedRgbPng(int w, int h, IntBinaryOperator rgb) {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_SPEED), 1 << 16)) {
            byte[] row = new byte[1 + 3 * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = rgb.applyAsInt(x, y);
                    row[1 + 3 * x] = (byte) (p >> 16);
                    row[2 + 3 * x] = (byte) (p >> 8);
                    row[3 + 3 * x] = (byte) p;
                }
                z.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png(w, h, 2, idat.toByteArray());
    }

    /** An 8-bit PNG of the colour type (0 grey, 2 RGB) with one IDAT chunk, none when {@code idat} is null. */
    private static byte[] png(int w, int h, int colourType, byte[] idat) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) colourType)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array());
        if (idat != null) {
            chunk(out, "IDAT", idat);
        }
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static BufferedImage rgbImage(int w, int h, IntBinaryOperator rgb, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb.applyAsInt(x, y));
            }
        }
        return image;
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ---- IDX

    /** An IDX3 image file; {@code pixel(i, p)} is pixel {@code p} (row-major) of image {@code i}. */
    static byte[] idxImages(int n, int rows, int cols, IntBinaryOperator pixel) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
        b.putInt(0x00000803).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < rows * cols; p++) {
                b.put((byte) pixel.applyAsInt(i, p));
            }
        }
        return b.array();
    }

    static byte[] idxLabels(int[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(0x00000801).putInt(labels.length);
        for (int label : labels) {
            b.put((byte) label);
        }
        return b.array();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ---- archives

    static Map<String, byte[]> entries(Object... nameThenBytes) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) {
            entries.put((String) nameThenBytes[i], (byte[]) nameThenBytes[i + 1]);
        }
        return entries;
    }

    /** {@code prefix + split/<class>/<i>.png} for the given number of images per class. */
    static Map<String, byte[]> imageFolder(String prefix, String split, Object... classThenCount) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int c = 0; c < classThenCount.length; c += 2) {
            String cls = (String) classThenCount[c];
            int count = (Integer) classThenCount[c + 1];
            for (int i = 0; i < count; i++) {
                entries.put(prefix + split + "/" + cls + "/" + String.format("%03d.png", i),
                        smallPng(cls.hashCode() + i));
            }
        }
        return entries;
    }

    @SafeVarargs
    static Map<String, byte[]> merge(Map<String, byte[]>... parts) {
        Map<String, byte[]> all = new LinkedHashMap<>();
        for (Map<String, byte[]> p : parts) {
            all.putAll(p);
        }
        return all;
    }

    static Path zip(Path target, Map<String, byte[]> entries) {
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(Files.newOutputStream(target))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                boolean dir = e.getValue() == null;
                ZipArchiveEntry entry = new ZipArchiveEntry(dir && !e.getKey().endsWith("/") ? e.getKey() + "/"
                        : e.getKey());
                zip.putArchiveEntry(entry);
                if (!dir) {
                    zip.write(e.getValue());
                }
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** A zip of the entries plus a symbolic link, marked as Info-ZIP marks one: Unix mode 0120777. */
    static Path zipWithSymlink(Path target, Map<String, byte[]> entries, String linkName, String linkTarget) {
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(Files.newOutputStream(target))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeArchiveEntry();
            }
            ZipArchiveEntry link = new ZipArchiveEntry(linkName);
            link.setUnixMode(0120777);
            zip.putArchiveEntry(link);
            zip.write(linkTarget.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** A zip with one deflated entry of {@code size} zero bytes, written in chunks so the test never holds it. */
    static Path zipOfZeros(Path target, Map<String, byte[]> before, String name, long size) {
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(Files.newOutputStream(target))) {
            for (Map.Entry<String, byte[]> e : before.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeArchiveEntry();
            }
            zip.putArchiveEntry(new ZipArchiveEntry(name));
            byte[] chunk = new byte[1 << 20];
            for (long written = 0; written < size; written += chunk.length) {
                zip.write(chunk, 0, (int) Math.min(chunk.length, size - written));
            }
            zip.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static Path tarGz(Path target, Map<String, byte[]> entries) {
        try (OutputStream file = Files.newOutputStream(target);
             GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file)) {
            writeTar(gz, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static Path tar(Path target, Map<String, byte[]> entries) {
        try (OutputStream file = Files.newOutputStream(target)) {
            writeTar(file, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private static void writeTar(OutputStream out, Map<String, byte[]> entries) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (e.getValue() == null) {
                tar.putArchiveEntry(new TarArchiveEntry(e.getKey().endsWith("/") ? e.getKey() : e.getKey() + "/"));
            } else {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
    }

    /** A tar.gz holding the given files plus one link (symbolic or hard) {@code linkName -> linkTarget}. */
    static Path tarGzWithLink(Path target, Map<String, byte[]> entries, String linkName, String linkTarget,
                              boolean symbolic) {
        try (OutputStream file = Files.newOutputStream(target);
             GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
            TarArchiveEntry link = new TarArchiveEntry(linkName,
                    symbolic ? TarConstants.LF_SYMLINK : TarConstants.LF_LINK);
            link.setLinkName(linkTarget);
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
