package io.deagent.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.FailureEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Helpers for events the CLI hands to the durable pipeline. */
final class Events {

    /** The most of a log file that is copied into a recorded event: its tail, where failures are. */
    static final int MAX_INLINE_LOG = 4 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Events() {}

    /**
     * The event JSON with {@code log_file} read into {@code log} (its last 4 MB), since the pipeline never
     * reads files named by an event.
     */
    static String withInlineLog(String eventJson, FailureEvent event, Optional<Path> base) throws IOException {
        if (event.log().isPresent() || event.logFile().isEmpty()) {
            return eventJson;
        }
        Path p = Path.of(event.logFile().get());
        if (!p.isAbsolute() && base.isPresent()) {
            p = base.get().resolve(p);
        }
        if (!Files.isRegularFile(p)) {
            throw new UsageException("no such log_file of the event: " + p + " (check the path)");
        }
        ObjectNode node = (ObjectNode) JSON.readTree(eventJson);
        node.put("log", tail(p));
        node.remove("log_file");
        return JSON.writeValueAsString(node);
    }

    private static String tail(Path p) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            long size = f.length();
            long from = Math.max(0, size - MAX_INLINE_LOG);
            byte[] bytes = new byte[(int) (size - from)];
            f.seek(from);
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (from > 0) {
                int nl = text.indexOf('\n');
                text = nl >= 0 ? text.substring(nl + 1) : text;
            }
            return text;
        }
    }
}
