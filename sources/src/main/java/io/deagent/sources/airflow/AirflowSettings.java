package io.deagent.sources.airflow;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * How to reach the Airflow REST API: directly at the webserver ({@code AIRFLOW_BASE_URL} with basic auth, a JWT
 * from {@code /auth/token}, a static bearer token, or none) or through Amazon MWAA's {@code InvokeRestApi}
 * ({@code MWAA_ENVIRONMENT} + {@code AWS_REGION}, optionally {@code AWS_ENDPOINT_URL}).
 *
 * @param connection where the API calls go
 * @param apiVersion {@code AIRFLOW_API_VERSION}: skips version detection when set
 * @param uiBaseUrl the webserver root used to build UI links; for MWAA only when {@code AIRFLOW_BASE_URL} is set
 */
public record AirflowSettings(Connection connection, Optional<ApiVersion> apiVersion, Optional<URI> uiBaseUrl) {

    /** Where the API calls go. */
    public sealed interface Connection permits Direct, Mwaa {}

    /** The webserver root ({@code http://airflow:8080}); the API is under {@code /api/v1} or {@code /api/v2}. */
    public record Direct(URI baseUrl, Credentials credentials) implements Connection {}

    /** An MWAA environment reached with SigV4-signed {@code InvokeRestApi}; credentials from the default chain. */
    public record Mwaa(String environment, String region, Optional<URI> endpoint) implements Connection {}

    /** How a direct connection authenticates. The records print without their secrets. */
    public sealed interface Credentials permits Password, Token, Anonymous {}

    /** Basic auth on {@code /api/v1}; exchanged for a JWT at {@code POST /auth/token} on {@code /api/v2}. */
    public record Password(String username, String password) implements Credentials {
        @Override
        public String toString() {
            return "Password[username=" + username + ", password=***]";
        }
    }

    /** A static bearer token ({@code AIRFLOW_TOKEN}), sent as it is. */
    public record Token(String token) implements Credentials {
        @Override
        public String toString() {
            return "Token[***]";
        }
    }

    /** No credentials: for webservers whose API is open (auth backend {@code default}). */
    public record Anonymous() implements Credentials {}

    /**
     * Reads the settings. Empty when Airflow is not configured at all. A direct connection wins when Airflow
     * credentials are set; otherwise {@code MWAA_ENVIRONMENT} selects MWAA (and {@code AIRFLOW_BASE_URL}, if also
     * set, only builds UI links, because an MWAA webserver cannot be called without an MWAA-issued session).
     *
     * @throws IllegalArgumentException naming the variable to fix, when the configuration is incomplete or wrong
     */
    public static Optional<AirflowSettings> from(Function<String, Optional<String>> config) {
        Optional<String> base = value(config, "AIRFLOW_BASE_URL");
        Optional<String> username = value(config, "AIRFLOW_USERNAME");
        Optional<String> password = value(config, "AIRFLOW_PASSWORD");
        Optional<String> token = value(config, "AIRFLOW_TOKEN");
        Optional<String> environment = value(config, "MWAA_ENVIRONMENT");
        Optional<ApiVersion> version = value(config, "AIRFLOW_API_VERSION").map(v -> ApiVersion.parse(v)
                .orElseThrow(() -> new IllegalArgumentException(
                        "AIRFLOW_API_VERSION must be v1 (Airflow 2) or v2 (Airflow 3), got '" + v + "'")));

        boolean airflowCredentials = username.isPresent() || password.isPresent() || token.isPresent();
        if (airflowCredentials || (base.isPresent() && environment.isEmpty())) {
            if (base.isEmpty()) {
                throw new IllegalArgumentException(
                        "AIRFLOW_USERNAME, AIRFLOW_PASSWORD or AIRFLOW_TOKEN is set but AIRFLOW_BASE_URL is not: set it"
                                + " to the Airflow webserver root, e.g. http://airflow:8080");
            }
            BaseUrl root = baseUrl(base.get());
            Credentials credentials = credentials(username, password, token);
            return Optional.of(new AirflowSettings(
                    new Direct(root.uri(), credentials), version.or(root::version), Optional.of(root.uri())));
        }
        if (environment.isPresent()) {
            String region = value(config, "AWS_REGION")
                    .orElseThrow(() -> new IllegalArgumentException(
                            "MWAA_ENVIRONMENT is set but AWS_REGION is not: set it to the environment's region,"
                                    + " e.g. eu-west-1"));
            Optional<URI> endpoint = value(config, "AWS_ENDPOINT_URL").map(AirflowSettings::endpoint);
            Optional<BaseUrl> ui = base.map(AirflowSettings::baseUrl);
            return Optional.of(new AirflowSettings(
                    new Mwaa(environment.get(), region, endpoint),
                    version.or(() -> ui.flatMap(BaseUrl::version)),
                    ui.map(BaseUrl::uri)));
        }
        return Optional.empty();
    }

    /** Where the API calls go, for messages: the base URL or the MWAA environment (never a secret). */
    public String target() {
        return switch (connection) {
            case Direct d -> d.baseUrl().toString();
            case Mwaa m -> "MWAA environment " + m.environment() + " (" + m.region() + ")";
        };
    }

    private record BaseUrl(URI uri, Optional<ApiVersion> version) {}

    private static Credentials credentials(
            Optional<String> username, Optional<String> password, Optional<String> token) {
        if (token.isPresent() && (username.isPresent() || password.isPresent())) {
            throw new IllegalArgumentException(
                    "set either AIRFLOW_TOKEN or AIRFLOW_USERNAME/AIRFLOW_PASSWORD, not both");
        }
        if (token.isPresent()) {
            return new Token(token.get());
        }
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException(
                    username.isPresent()
                            ? "AIRFLOW_USERNAME is set but AIRFLOW_PASSWORD is not"
                            : "AIRFLOW_PASSWORD is set but AIRFLOW_USERNAME is not");
        }
        return username.isPresent() ? new Password(username.get(), password.get()) : new Anonymous();
    }

    /**
     * The webserver root, without a trailing slash. A URL ending in {@code /api/v1} or {@code /api/v2} is
     * accepted too (a common slip): the suffix is removed and taken as the API version.
     */
    private static BaseUrl baseUrl(String text) {
        URI uri = httpUri("AIRFLOW_BASE_URL", text);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Optional<ApiVersion> version = Optional.empty();
        for (ApiVersion v : ApiVersion.values()) {
            if (path.toLowerCase(Locale.ROOT).endsWith(v.prefix())) {
                path = path.substring(0, path.length() - v.prefix().length());
                version = Optional.of(v);
            }
        }
        String authority = uri.getRawAuthority();
        return new BaseUrl(URI.create(uri.getScheme() + "://" + authority + path), version);
    }

    private static URI endpoint(String text) {
        return httpUri("AWS_ENDPOINT_URL", text);
    }

    private static URI httpUri(String variable, String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(variable + " is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    variable + " must be an http(s) URL with a host, e.g. http://airflow:8080, got '" + text + "'");
        }
        if (uri.getRawUserInfo() != null) {
            // the message must not echo the URL: it holds a password
            throw new IllegalArgumentException(
                    variable + " must not contain credentials; use AIRFLOW_USERNAME/AIRFLOW_PASSWORD or AIRFLOW_TOKEN");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(variable + " must not have a query or fragment, got '" + text + "'");
        }
        return uri;
    }

    private static Optional<String> value(Function<String, Optional<String>> config, String name) {
        return config.apply(name).map(String::strip).filter(v -> !v.isEmpty());
    }
}
