package io.shears.api;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.net.ApplicationBufferHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds what a refused request's unread body costs. Tomcat reads and drops the rest of such a body so the client
 * can read its answer, but only counts bytes ({@code max-swallow-size}), so a client that sends one byte a second
 * keeps a request thread for as long as it likes, and enough such clients take every thread. Here:
 * <ul>
 *   <li>after 401 and 403 the body is dropped as it arrives for at most {@link #UNAUTHENTICATED_WAIT}, without
 *       blocking, before the answer goes out; if more is to come, the answer carries {@code Connection: close}, since
 *       an unauthenticated caller is owed no more of the server's time (Tomcat does the same for a client that sent
 *       {@code Expect: 100-continue});</li>
 *   <li>after any other error the answer is sent first and the rest of the body is read and dropped for at most
 *       {@link #DRAIN_TIME}, then the connection closes, so a fast client still reads a 413 rather than a reset
 *       connection and a slow one is let go.</li>
 * </ul>
 * An engine valve, so that it runs after Tomcat's error page handling has written the answer.
 */
final class RefusedBodyValve extends ValveBase {
    static final Duration DRAIN_TIME = Duration.ofSeconds(2);
    /** How long an unauthenticated caller's body may keep arriving before its answer closes the connection. */
    static final Duration UNAUTHENTICATED_WAIT = Duration.ofMillis(50);

    private final long maxDrainBytes;

    RefusedBodyValve(long maxDrainBytes) {
        super(true);
        this.maxDrainBytes = maxDrainBytes;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        getNext().invoke(request, response);
        int status = response.getStatus();
        if (status < 400 || request.isAsync() || bodyFullyRead(request)) {
            return;
        }
        if (status == 401 || status == 403) {
            dropWhatArrivesWithin(request, UNAUTHENTICATED_WAIT);
        } else {
            // Said before the answer goes out, so that the client does not send its next request on this connection.
            response.setHeader("Connection", "close");
            drain(request, response);
        }
        if (!bodyFullyRead(request)) {
            response.setHeader("Connection", "close");
            request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
        }
    }

    /**
     * Drops the body as it arrives, without blocking, for at most {@code wait} and before the answer is sent: a body
     * sent whole at network speed is read completely and the connection stays open as usual; a body still arriving
     * after that gets its answer with {@code Connection: close}. Closing while a fast client is still sending would
     * reset the connection and lose the answer.
     */
    private static void dropWhatArrivesWithin(Request request, Duration wait) {
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        DroppedBytes dropped = new DroppedBytes();
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (!bodyFullyRead(request)) {
                coyote.action(ActionCode.AVAILABLE, Boolean.TRUE);
                if (coyote.getAvailable() > 0) {
                    if (coyote.doRead(dropped) < 0) {
                        return;
                    }
                } else if (System.nanoTime() >= deadline) {
                    return;
                } else {
                    Thread.sleep(1);
                }
            }
        } catch (IOException e) {
            // The client went away; the connection closes anyway.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads below the servlet stream, which the application may have closed already; Tomcat's input buffer hands
     * over what it has and moves past it.
     */
    private void drain(Request request, Response response) {
        try {
            response.flushBuffer();
            DroppedBytes dropped = new DroppedBytes();
            long deadline = System.nanoTime() + DRAIN_TIME.toNanos();
            long drained = 0;
            while (drained <= maxDrainBytes && System.nanoTime() < deadline) {
                int n = request.getCoyoteRequest().doRead(dropped);
                if (n < 0) {
                    return;
                }
                drained += n;
            }
        } catch (IOException e) {
            // The client went away; the connection closes anyway.
        }
    }

    private static boolean bodyFullyRead(Request request) {
        AtomicBoolean fullyRead = new AtomicBoolean();
        request.getCoyoteRequest().action(ActionCode.REQUEST_BODY_FULLY_READ, fullyRead);
        return fullyRead.get();
    }

    /** Takes each buffer Tomcat's input buffer hands over and keeps none of it. */
    private static final class DroppedBytes implements ApplicationBufferHandler {
        private ByteBuffer buffer = ApplicationBufferHandler.EMPTY_BUFFER;

        @Override
        public void setByteBuffer(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer getByteBuffer() {
            return buffer;
        }

        @Override
        public void expand(int size) {
            // Tomcat hands over views of its own buffer; nothing here needs to grow.
        }
    }
}
