package io.shears.service;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/1.1 keep-alive connection on a plain socket, for tests that check a response's exact bytes and framing:
 * the body is read exactly as the headers say (Content-Length or chunked), so a wrong length shows as a timeout or as
 * garbage where the next response should start.
 */
final class RawHttpConnection implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 15_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int port;

    /** A response; header names keep their case as sent, and repeated headers stay repeated. */
    record Response(int status, List<String[]> headers, byte[] body) {
        List<String> all(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
        }

        /** The header's one value, null if absent; fails if the header is repeated. */
        String header(String name) {
            List<String> values = all(name);
            if (values.size() > 1) {
                throw new AssertionError(name + " is repeated: " + values);
            }
            return values.isEmpty() ? null : values.get(0);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder().append(status);
            headers.forEach(h -> s.append('\n').append(h[0]).append(": ").append(h[1]));
            return s.append("\n\n(").append(body.length).append(" bytes)").toString();
        }
    }

    RawHttpConnection(int port) throws IOException {
        this.port = port;
        this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** @param headers name, value, name, value… */
    Response send(String method, String path, String... headers) throws IOException {
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return read(method);
    }

    private Response read(String method) throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        List<String[]> headers = new ArrayList<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
        }
        Response head = new Response(status, headers, new byte[0]);
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return head;
        }
        if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
            return new Response(status, headers, chunked());
        }
        String length = head.header("Content-Length");
        if (length == null) {
            throw new IOException("neither Content-Length nor chunked: the body's end is unknown\n" + head);
        }
        return new Response(status, headers, exactly(Long.parseLong(length)));
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (long size = Long.parseLong(line().split(";")[0].strip(), 16); size > 0;
             size = Long.parseLong(line().split(";")[0].strip(), 16)) {
            body.writeBytes(exactly(size));
            if (!line().isEmpty()) {
                throw new IOException("a chunk does not end with CRLF");
            }
        }
        while (!line().isEmpty()) {
            // trailer fields
        }
        return body.toByteArray();
    }

    private byte[] exactly(long n) throws IOException {
        byte[] bytes = in.readNBytes(Math.toIntExact(n));
        if (bytes.length < n) {
            throw new EOFException("the body ended after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection closed mid-line");
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        if (!s.endsWith("\r")) {
            throw new IOException("a line does not end with CRLF: " + s);
        }
        return s.substring(0, s.length() - 1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
