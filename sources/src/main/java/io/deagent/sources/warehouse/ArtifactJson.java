package io.deagent.sources.warehouse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.investigate.Budget;
import io.deagent.sources.SourceException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Streaming reads of dbt's JSON artifacts: a parser walks the file token by token and only the few objects the
 * caller asks for become trees, so a 100+ MB manifest costs the size of the nodes kept, not of the file. The
 * deadline is checked as the parser goes.
 */
final class ArtifactJson {

    /** compiled_code and raw_code of one node can be large; more than this is not a dbt artifact. */
    private static final int MAX_STRING_CHARS = 64 * 1024 * 1024;

    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(MAX_STRING_CHARS)
                    .build())
            .build());

    private ArtifactJson() {}

    static JsonParser open(Path file) throws IOException {
        return MAPPER.getFactory().createParser(file.toFile());
    }

    static JsonNode tree(JsonParser parser) throws IOException {
        return MAPPER.readTree(parser);
    }

    /** Moves to the top-level object; a file that does not start with one is malformed for our purpose. */
    static void expectObject(JsonParser parser, Path file) throws IOException {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw new NotAnArtifact(file + ": expected a JSON object at line 1, got "
                    + (first == null ? "an empty file" : first.asString()));
        }
    }

    static void checkDeadline(Budget budget, Path file, JsonParser parser) {
        if (budget.remaining().isZero()) {
            JsonLocation at = parser.currentLocation();
            throw new SourceException.TimedOut("reading " + file + ": deadline " + budget.deadline()
                    + " reached at line " + at.getLineNr() + " (byte " + at.getByteOffset() + ")");
        }
    }

    /** {@code run_results.json: malformed JSON at line 3, column 17: Unexpected end-of-input …}. */
    static String malformed(Path file, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return file + ": malformed JSON" + where + ": " + oneLine(e.getOriginalMessage());
    }

    static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        String text = value.isValueNode() ? value.asText() : value.toString();
        return text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    /** A file that parses but is not shaped like the artifact (an array, a number, empty). */
    static final class NotAnArtifact extends IOException {
        NotAnArtifact(String message) {
            super(message);
        }
    }
}
