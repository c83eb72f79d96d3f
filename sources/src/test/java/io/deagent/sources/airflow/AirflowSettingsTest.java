package io.deagent.sources.airflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.sources.airflow.AirflowSettings.Anonymous;
import io.deagent.sources.airflow.AirflowSettings.Direct;
import io.deagent.sources.airflow.AirflowSettings.Mwaa;
import io.deagent.sources.airflow.AirflowSettings.Password;
import io.deagent.sources.airflow.AirflowSettings.Token;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AirflowSettingsTest {

    @Test
    void nothingConfiguredIsNoAirflow() {
        assertThat(settings(Map.of())).isEmpty();
        assertThat(settings(Map.of("AWS_REGION", "eu-west-1", "AIRFLOW_BASE_URL", " ")))
                .isEmpty();
    }

    @Test
    void aBaseUrlWithAUserAndPasswordIsADirectConnection() {
        AirflowSettings s = settings(Map.of(
                        "AIRFLOW_BASE_URL", "http://airflow:8080/",
                        "AIRFLOW_USERNAME", "admin",
                        "AIRFLOW_PASSWORD", "s3cr3t"))
                .orElseThrow();

        assertThat(s.connection())
                .isEqualTo(new Direct(URI.create("http://airflow:8080"), new Password("admin", "s3cr3t")));
        assertThat(s.apiVersion()).isEmpty();
        assertThat(s.uiBaseUrl()).contains(URI.create("http://airflow:8080"));
        assertThat(s.toString()).doesNotContain("s3cr3t");
        assertThat(s.target()).isEqualTo("http://airflow:8080");
    }

    @Test
    void anApiSuffixOnTheBaseUrlIsTakenAsTheVersion() {
        AirflowSettings s = settings(Map.of("AIRFLOW_BASE_URL", "https://example.com/airflow/api/v2/"))
                .orElseThrow();

        assertThat(((Direct) s.connection()).baseUrl()).isEqualTo(URI.create("https://example.com/airflow"));
        assertThat(((Direct) s.connection()).credentials()).isEqualTo(new Anonymous());
        assertThat(s.apiVersion()).contains(ApiVersion.V2);
    }

    @Test
    void aStaticTokenAndAnExplicitVersion() {
        AirflowSettings s = settings(Map.of(
                        "AIRFLOW_BASE_URL", "http://airflow:8080",
                        "AIRFLOW_TOKEN", "tok-123",
                        "AIRFLOW_API_VERSION", "V1"))
                .orElseThrow();

        assertThat(((Direct) s.connection()).credentials()).isEqualTo(new Token("tok-123"));
        assertThat(s.apiVersion()).contains(ApiVersion.V1);
        assertThat(s.toString()).doesNotContain("tok-123");
    }

    @Test
    void mwaaNeedsNoBaseUrlAndUsesOneOnlyForLinks() {
        AirflowSettings plain = settings(Map.of("MWAA_ENVIRONMENT", "prod", "AWS_REGION", "eu-west-1"))
                .orElseThrow();
        AirflowSettings withUi = settings(Map.of(
                        "MWAA_ENVIRONMENT", "prod",
                        "AWS_REGION", "eu-west-1",
                        "AWS_ENDPOINT_URL", "http://localhost:4566",
                        "AIRFLOW_BASE_URL", "https://abc.c2.eu-west-1.airflow.amazonaws.com"))
                .orElseThrow();

        assertThat(plain.connection()).isEqualTo(new Mwaa("prod", "eu-west-1", Optional.empty()));
        assertThat(plain.uiBaseUrl()).isEmpty();
        assertThat(withUi.connection())
                .isEqualTo(new Mwaa("prod", "eu-west-1", Optional.of(URI.create("http://localhost:4566"))));
        assertThat(withUi.uiBaseUrl()).contains(URI.create("https://abc.c2.eu-west-1.airflow.amazonaws.com"));
        assertThat(withUi.target()).isEqualTo("MWAA environment prod (eu-west-1)");
    }

    @Test
    void airflowCredentialsWinOverMwaa() {
        AirflowSettings s = settings(Map.of(
                        "MWAA_ENVIRONMENT", "prod",
                        "AWS_REGION", "eu-west-1",
                        "AIRFLOW_BASE_URL", "http://airflow:8080",
                        "AIRFLOW_TOKEN", "t"))
                .orElseThrow();

        assertThat(s.connection()).isInstanceOf(Direct.class);
    }

    @Test
    void incompleteOrWrongSettingsSayWhatToFix() {
        assertThatThrownBy(() -> settings(Map.of("AIRFLOW_USERNAME", "admin", "AIRFLOW_PASSWORD", "x")))
                .hasMessageContaining("AIRFLOW_BASE_URL is not");
        assertThatThrownBy(() -> settings(Map.of("AIRFLOW_BASE_URL", "http://a:8080", "AIRFLOW_USERNAME", "admin")))
                .hasMessage("AIRFLOW_USERNAME is set but AIRFLOW_PASSWORD is not");
        assertThatThrownBy(() -> settings(
                        Map.of("AIRFLOW_BASE_URL", "http://a:8080", "AIRFLOW_TOKEN", "t", "AIRFLOW_USERNAME", "u")))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> settings(Map.of("MWAA_ENVIRONMENT", "prod")))
                .hasMessageContaining("AWS_REGION is not");
        assertThatThrownBy(() -> settings(Map.of("AIRFLOW_BASE_URL", "airflow:8080")))
                .hasMessageContaining("AIRFLOW_BASE_URL must be an http(s) URL");
        assertThatThrownBy(() -> settings(Map.of("AIRFLOW_BASE_URL", "http://a:8080", "AIRFLOW_API_VERSION", "v3")))
                .hasMessageContaining("AIRFLOW_API_VERSION must be v1 (Airflow 2) or v2 (Airflow 3)");
    }

    @Test
    void credentialsInTheBaseUrlAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> settings(Map.of("AIRFLOW_BASE_URL", "http://admin:hunter2@airflow:8080")))
                .hasMessageContaining("must not contain credentials")
                .message()
                .doesNotContain("hunter2");
    }

    private static Optional<AirflowSettings> settings(Map<String, String> env) {
        return AirflowSettings.from(name -> Optional.ofNullable(env.get(name)));
    }
}
