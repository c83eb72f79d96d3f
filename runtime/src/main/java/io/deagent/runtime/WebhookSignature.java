package io.deagent.runtime;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Airflow webhook's authentication: {@code X-DE-Agent-Signature: v1=<hex HMAC-SHA256 of
 * "v1:<timestamp>:<body>">} with {@code X-DE-Agent-Timestamp} in Unix seconds, within five minutes of now
 * either way. The comparison takes the same time whatever the signature is.
 */
public final class WebhookSignature {

    public static final String SIGNATURE_HEADER = "X-DE-Agent-Signature";
    public static final String TIMESTAMP_HEADER = "X-DE-Agent-Timestamp";
    public static final Duration WINDOW = Duration.ofMinutes(5);

    private final byte[] secret;

    public WebhookSignature(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Why a request was refused; only ever logged, never told to the caller. */
    public enum Verdict {
        VALID,
        MISSING_HEADERS,
        MALFORMED_TIMESTAMP,
        STALE,
        BAD_SIGNATURE
    }

    public Verdict verify(String timestamp, String signature, byte[] body, Instant now) {
        if (timestamp == null || signature == null || timestamp.isBlank() || signature.isBlank()) {
            return Verdict.MISSING_HEADERS;
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Verdict.MALFORMED_TIMESTAMP;
        }
        if (Math.abs(now.getEpochSecond() - ts) > WINDOW.toSeconds()) {
            return Verdict.STALE;
        }
        byte[] expected = sign(timestamp.trim(), body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature.trim().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given) ? Verdict.VALID : Verdict.BAD_SIGNATURE;
    }

    /** The header value for a body sent at {@code timestamp}: {@code v1=<hex>}. */
    public String sign(String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(("v1:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return "v1=" + HexFormat.of().formatHex(mac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
