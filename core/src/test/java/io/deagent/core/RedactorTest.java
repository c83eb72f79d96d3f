package io.deagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void removesSecretsAndKeepsTheRest() {
        String text = "jdbc:postgresql://etl:s3cr3tPass@db.internal:5432/dw AKIAIOSFODNN7EXAMPLE "
                + "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY Authorization: Bearer abc.def.ghi12345 "
                + "xoxb-123456789012-abcdefghijkl password=hunter22 ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        String out = Redactor.redact(text);
        assertThat(out)
                .doesNotContain(
                        "s3cr3tPass",
                        "AKIAIOSFODNN7EXAMPLE",
                        "wJalrXUtnFEMI",
                        "abc.def.ghi12345",
                        "xoxb-1234",
                        "hunter22",
                        "ghp_abcdef")
                .contains("db.internal:5432/dw", "[REDACTED]");
    }

    @Test
    void ordinaryLogLinesAreUnchanged() {
        String line = "ERROR: column \"customer_idd\" does not exist at character 8";
        assertThat(Redactor.redact(line)).isEqualTo(line);
    }

    @Test
    void prefixedKeyNamesAreSecretsToo() {
        String out = Redactor.redact(
                "DB_PASSWORD=hunter2x x_api_key: 'abcd1234efgh' airflow.auth_token=tok3nValue client-secret=cl1entSecret");
        assertThat(out).doesNotContain("hunter2x", "abcd1234efgh", "tok3nValue", "cl1entSecret");
        assertThat(Redactor.redact("tokens: 5, max_tokens=1024 lines")).contains("tokens: 5");
        assertThat(Redactor.redact("FATAL: password authentication failed for user \"etl\""))
                .isEqualTo("FATAL: password authentication failed for user \"etl\"");
    }

    @Test
    void webhookUrlsAndEmailAddressesAreMaskedAndTeamsCanAddPatterns() {
        String out = Redactor.redact("owner jane.doe@example.com posted to "
                + "https://acme.webhook.office.com/webhookb2/abc-123@def/IncomingWebhook/xyz and "
                + "https://discord.com/api/webhooks/123456/secretTokenValue");
        assertThat(out).doesNotContain("jane.doe@example.com", "IncomingWebhook/xyz", "secretTokenValue");

        Redactor.addPatterns(java.util.List.of("CUST-\\d{6}"));
        assertThat(Redactor.redact("customer CUST-123456 failed")).isEqualTo("customer [REDACTED] failed");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Redactor.addPatterns(java.util.List.of("(")))
                .hasMessageContaining("not a valid redaction pattern: (");
    }
}
