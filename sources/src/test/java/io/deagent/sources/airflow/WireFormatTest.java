package io.deagent.sources.airflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small pieces of wire handling: encoding, the log tail, Airflow 2's Python repr, log pages. */
class WireFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void runIdsArePercentEncodedNeverFormEncoded() {
        assertThat(UrlEncoding.strict("scheduled__2026-11-20T03:00:00+00:00"))
                .isEqualTo("scheduled__2026-11-20T03%3A00%3A00%2B00%3A00");
        assertThat(UrlEncoding.strict("manual run/1 ü")).isEqualTo("manual%20run%2F1%20%C3%BC");
        assertThat(UrlEncoding.lenient("manual__2026-11-20T03:00:00+00:00 x/y"))
                .isEqualTo("manual__2026-11-20T03:00:00+00:00%20x%2Fy");
        Map<String, String> q = new LinkedHashMap<>();
        q.put("map_index", "3");
        q.put("token", "a+b=c");
        assertThat(UrlEncoding.query(q)).isEqualTo("map_index=3&token=a%2Bb%3Dc");
        assertThat(UrlEncoding.path(List.of("dags", "d"), false)).isEqualTo("/dags/d");
    }

    @Test
    void theTailBufferKeepsTheEndAndStartsAtAWholeLine() {
        TailBuffer tail = new TailBuffer(16);
        tail.write("first line\nsecond\nthird\n");

        // the last 16 of 24 bytes are "ne\nsecond\nthird\n": the cut line goes
        assertThat(tail.total()).isEqualTo(24);
        assertThat(tail.truncated()).isTrue();
        assertThat(tail.text()).isEqualTo("second\nthird\n");
    }

    @Test
    void theTailBufferDropsACutCharacterAndKeepsEverythingUnderTheCap() {
        TailBuffer cut = new TailBuffer(5);
        cut.write("xxxxü-end"); // ü is two bytes; the cut falls inside it
        TailBuffer whole = new TailBuffer(1 << 20);
        for (int i = 0; i < 1000; i++) {
            whole.write("line " + i + "\n");
        }

        assertThat(cut.text()).isEqualTo("-end");
        assertThat(whole.truncated()).isFalse();
        assertThat(whole.text()).startsWith("line 0\n").endsWith("line 999\n");
    }

    @Test
    void theTailBufferWrapsAroundManySmallWrites() {
        TailBuffer tail = new TailBuffer(10);
        for (int i = 0; i < 37; i++) {
            tail.write(String.valueOf(i % 10));
        }

        assertThat(new String(tail.bytes(), StandardCharsets.UTF_8)).isEqualTo("7890123456");
    }

    @Test
    void pythonReprOfHostAndTextIsReadBack() {
        String repr = "[('worker-3', \"it's a\\n\\tlog \\\\ \\x41\\u00fc\\n\"), ('other', 'second\\'s')]";

        assertThat(PythonLogRepr.texts(repr)).contains(List.of("it's a\n\tlog \\ Aü\n", "second's"));
        assertThat(PythonLogRepr.texts("plain log text")).isEmpty();
        assertThat(PythonLogRepr.texts("[('unterminated, 'x')]")).isEmpty();
    }

    @Test
    void logPagesOfBothGenerationsBecomeText() throws Exception {
        LogPage v1 = LogPage.parse(
                JSON.readTree("{\"continuation_token\":\"abc\",\"content\":\"[('h', 'a\\\\nb\\\\n')]\"}"));
        LogPage v2 = LogPage.parse(JSON.readTree(
                "{\"content\":[{\"event\":\"boom\",\"level\":\"error\"},\"::group::x\"],\"continuation_token\":null}"));
        LogPage plain = LogPage.parse(JSON.readTree("{\"content\":\"just text\\n\"}"));

        assertThat(v1).isEqualTo(new LogPage("a\nb\n", java.util.Optional.of("abc")));
        assertThat(v2.text()).isEqualTo("{\"event\":\"boom\",\"level\":\"error\"}\n::group::x\n");
        assertThat(v2.nextToken()).isEmpty();
        assertThat(plain.text()).isEqualTo("just text\n");
    }

    @Test
    void errorDetailsAreOneLine() {
        assertThat(ErrorDetail.of("{\"detail\":null,\"status\":404,\"title\":\"DAG not found\"}"))
                .isEqualTo("DAG not found");
        assertThat(ErrorDetail.of("{\"detail\":\"Invalid JWT token\"}")).isEqualTo("Invalid JWT token");
        assertThat(ErrorDetail.of("<!doctype html>\n<title>404 Not Found</title><h1>Not Found</h1>"))
                .isEqualTo("404 Not Found Not Found");
    }
}
