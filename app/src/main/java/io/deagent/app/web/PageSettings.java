package io.deagent.app.web;

import io.deagent.app.UsageException;
import io.deagent.runtime.Config;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * The settings of the incidents page: who may open it from elsewhere than this machine
 * ({@code DE_AGENT_UI_TOKEN}, {@code DE_AGENT_UI_AUTH_HEADER}), and the Slack workspace its thread links
 * point into ({@code SLACK_WORKSPACE_URL}).
 */
public record PageSettings(Optional<String> token, Optional<String> authHeader, Optional<URI> slackWorkspace) {

    static final int MIN_TOKEN_CHARS = 16;

    public static PageSettings from(Config config) {
        Optional<String> token =
                config.get("DE_AGENT_UI_TOKEN").map(String::strip).filter(t -> !t.isEmpty());
        if (token.isPresent() && token.get().length() < MIN_TOKEN_CHARS) {
            throw new UsageException("DE_AGENT_UI_TOKEN must be at least " + MIN_TOKEN_CHARS
                    + " characters (generate one with: openssl rand -hex 32)");
        }
        Optional<String> header =
                config.get("DE_AGENT_UI_AUTH_HEADER").map(String::strip).filter(h -> !h.isEmpty());
        if (header.isPresent() && !header.get().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")) {
            throw new UsageException("DE_AGENT_UI_AUTH_HEADER must be a header name such as X-Forwarded-Email, got '"
                    + header.get() + "'");
        }
        if (header.isPresent()
                && header.get().toLowerCase(Locale.ROOT).matches("authorization|cookie|host|x-forwarded-for")) {
            throw new UsageException("DE_AGENT_UI_AUTH_HEADER must name the header your SSO proxy sets with the user"
                    + " (such as X-Forwarded-Email), not " + header.get());
        }
        return new PageSettings(token, header, config.get("SLACK_WORKSPACE_URL").map(PageSettings::workspace));
    }

    /** {@code https://acme.slack.com}, without a trailing slash. */
    static URI workspace(String value) {
        String v = value.strip().replaceAll("/+$", "");
        try {
            URI u = new URI(v);
            if (!"https".equalsIgnoreCase(u.getScheme())
                    || u.getHost() == null
                    || (u.getPath() != null && !u.getPath().isEmpty())
                    || u.getQuery() != null
                    || u.getUserInfo() != null) {
                throw new URISyntaxException(v, "not a workspace URL");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new UsageException(
                    "SLACK_WORKSPACE_URL must be your workspace's address such as https://acme.slack.com, got '" + v
                            + "'");
        }
    }
}
