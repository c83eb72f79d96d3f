package io.deagent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    static final WebhookSignature SIG = new WebhookSignature("s3cret");
    static final Instant NOW = Instant.ofEpochSecond(1_790_000_000L);
    static final byte[] BODY = "{\"dag_id\":\"d\",\"task_id\":\"t\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void matches_an_hmac_computed_independently() {
        // printf 'v1:1790000000:{"dag_id":"d","task_id":"t"}' | openssl dgst -sha256 -hmac s3cret
        assertThat(SIG.sign("1790000000", BODY))
                .isEqualTo("v1=d3e8e04185586891e1fc85fb9cf88659eeafc54848ec4a707cf5bbaf15c0434e");
        assertThat(SIG.verify("1790000000", SIG.sign("1790000000", BODY), BODY, NOW))
                .isEqualTo(WebhookSignature.Verdict.VALID);
    }

    @Test
    void a_changed_body_or_secret_or_timestamp_is_refused() {
        String good = SIG.sign("1790000000", BODY);
        byte[] changed = "{\"dag_id\":\"d\",\"task_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(SIG.verify("1790000000", good, changed, NOW)).isEqualTo(WebhookSignature.Verdict.BAD_SIGNATURE);
        assertThat(new WebhookSignature("other").verify("1790000000", good, BODY, NOW))
                .isEqualTo(WebhookSignature.Verdict.BAD_SIGNATURE);
        assertThat(SIG.verify("1790000001", good, BODY, NOW)).isEqualTo(WebhookSignature.Verdict.BAD_SIGNATURE);
        assertThat(SIG.verify("1790000000", good.toUpperCase(), BODY, NOW))
                .isEqualTo(WebhookSignature.Verdict.BAD_SIGNATURE);
    }

    @Test
    void timestamps_outside_five_minutes_either_way_are_stale() {
        long now = NOW.getEpochSecond();
        for (long ts : new long[] {now - 301, now + 301}) {
            String t = String.valueOf(ts);
            assertThat(SIG.verify(t, SIG.sign(t, BODY), BODY, NOW)).isEqualTo(WebhookSignature.Verdict.STALE);
        }
        for (long ts : new long[] {now - 300, now + 300}) {
            String t = String.valueOf(ts);
            assertThat(SIG.verify(t, SIG.sign(t, BODY), BODY, NOW)).isEqualTo(WebhookSignature.Verdict.VALID);
        }
    }

    @Test
    void missing_or_malformed_headers_are_refused() {
        assertThat(SIG.verify(null, "v1=00", BODY, NOW)).isEqualTo(WebhookSignature.Verdict.MISSING_HEADERS);
        assertThat(SIG.verify("1790000000", " ", BODY, NOW)).isEqualTo(WebhookSignature.Verdict.MISSING_HEADERS);
        assertThat(SIG.verify("yesterday", "v1=00", BODY, NOW)).isEqualTo(WebhookSignature.Verdict.MALFORMED_TIMESTAMP);
    }
}
