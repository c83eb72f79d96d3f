package io.deagent.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.deagent.runtime.Config;
import io.deagent.runtime.ConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ack function, behind an API Gateway HTTP API (payload format 2.0): {@code POST /slack/events} (Slack's
 * Events API, verified by Bolt: signature v0, 5-minute window, {@code url_verification}) and {@code POST
 * /webhooks/airflow} (the signed failure event). It verifies, records the delivery once in DynamoDB, queues the
 * work on SQS and answers within milliseconds; the worker function does the rest. Forged requests get 401,
 * malformed ones 400, and DynamoDB or SQS being down 503, so the sender retries.
 *
 * <p>Handler: {@code io.deagent.lambda.AckHandler::handleRequest}.
 */
public final class AckHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private static final Logger log = LoggerFactory.getLogger(AckHandler.class);

    private final Wiring.Lazy<AckIntake> intake;

    /** The Lambda runtime's constructor: configuration from the environment and Secrets Manager. */
    public AckHandler() {
        this(() -> Config.load(Optional.empty()), Clock.systemUTC(), System.out);
        Priming.register();
    }

    /** {@code out} takes the metric lines (EMF); in Lambda it is stdout, which goes to the log group. */
    AckHandler(Supplier<Config> config, Clock clock, java.io.PrintStream out) {
        this.intake = new Wiring.Lazy<>(() -> Wiring.ack(config.get(), clock, out));
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent request, Context context) {
        AckIntake.Answer a;
        try {
            a = route(request);
        } catch (ConfigException e) {
            log.error("de-agent is misconfigured: {}", e.getMessage());
            a = AckIntake.Answer.error(500, "de-agent is misconfigured; its log says what to fix");
        } catch (RuntimeException e) {
            log.error("request failed: {}", e.toString(), e);
            a = AckIntake.Answer.error(500, "internal error; the function's log has the details");
        }
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(a.status())
                .withHeaders(Map.of("Content-Type", a.contentType()))
                .withBody(a.body())
                .withIsBase64Encoded(false)
                .build();
    }

    private AckIntake.Answer route(APIGatewayV2HTTPEvent request) {
        String method = Optional.ofNullable(request.getRequestContext())
                .map(c -> c.getHttp())
                .map(h -> h.getMethod())
                .orElse("");
        String path = path(request);
        if (!path.equals("/slack/events") && !path.equals("/webhooks/airflow")) {
            return AckIntake.Answer.error(404, "no such route: " + method + " " + path);
        }
        if (!"POST".equalsIgnoreCase(method)) {
            return AckIntake.Answer.error(405, path + " takes POST");
        }
        byte[] body;
        try {
            body = body(request);
        } catch (IllegalArgumentException e) {
            return AckIntake.Answer.error(400, "the body is marked base64 but is not");
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (request.getHeaders() != null) {
            headers.putAll(request.getHeaders());
        }
        String ip = Optional.ofNullable(request.getRequestContext())
                .map(c -> c.getHttp())
                .map(h -> h.getSourceIp())
                .orElse("unknown");
        AckIntake ack = intake.get();
        boolean slackDoor = path.equals("/slack/events");
        if (slackDoor ? !ack.slackConfigured() : !ack.webhookConfigured()) {
            // a secret filled in after the deploy (the Slack app is created after the stack) is read again now,
            // rather than when the container is recycled
            if (intake.reload()) {
                ack = intake.get();
            }
        }
        if (!slackDoor) {
            return ack.webhook(body, headers::get, ip);
        }
        Map<String, List<String>> multi = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        // API Gateway joins repeated headers with commas; Slack sends each of its headers once
        headers.forEach((k, v) -> multi.put(k.toLowerCase(Locale.ROOT), List.of(v)));
        return ack.slack(new String(body, StandardCharsets.UTF_8), multi, ip);
    }

    /** The route's path: from {@code routeKey} ("POST /slack/events"), else the raw path less a stage prefix. */
    static String path(APIGatewayV2HTTPEvent request) {
        String routeKey = request.getRouteKey();
        if (routeKey != null && routeKey.indexOf(' ') > 0 && !routeKey.endsWith("$default")) {
            return routeKey.substring(routeKey.indexOf(' ') + 1).trim();
        }
        String raw = request.getRawPath() == null ? "" : request.getRawPath();
        for (String known : new String[] {"/slack/events", "/webhooks/airflow"}) {
            if (raw.endsWith(known)) {
                return known;
            }
        }
        return raw;
    }

    static byte[] body(APIGatewayV2HTTPEvent request) {
        String body = request.getBody() == null ? "" : request.getBody();
        return request.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
    }
}
