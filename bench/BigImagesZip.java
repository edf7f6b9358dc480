import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the archive of the dataset upload RSS benchmark: an ImageFolder zip of 8 RGB PNGs of 16384 × 6100 pixels
 * (99.9 megapixels, just under the service's limit) in blocks of 256 pixels, so that the zip stays a few megabytes.
 * The 8 entries hold the same image; the service decodes each of them. Run as {@code java -Xmx1g BigImagesZip.java
 * OUT.zip}.
 */
public class BigImagesZip {
    public static void main(String[] args) throws Exception {
        int w = 16384;
        int h = 6100;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = 3 * (y * w + x);
                bgr[p] = (byte) (((x >> 8) ^ (y >> 8)) * 3);
                bgr[p + 1] = (byte) ((y >> 8) * 10);
                bgr[p + 2] = (byte) ((x >> 8) * 4);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        try (ZipOutputStream zip = new ZipOutputStream(new FileOutputStream(args[0]))) {
            for (int i = 0; i < 8; i++) {
                zip.putNextEntry(new ZipEntry("train/" + (i < 4 ? "a" : "b") + "/" + i + ".png"));
                png.writeTo(zip);
                zip.closeEntry();
            }
        }
    }
}
