package io.deagent.sources.airflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.investigate.Budget;
import io.deagent.sources.SourceException;
import io.deagent.sources.airflow.AirflowSettings.Mwaa;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mwaa.MwaaClient;
import software.amazon.awssdk.services.mwaa.MwaaClientBuilder;
import software.amazon.awssdk.services.mwaa.model.AccessDeniedException;
import software.amazon.awssdk.services.mwaa.model.InternalServerException;
import software.amazon.awssdk.services.mwaa.model.InvokeRestApiRequest;
import software.amazon.awssdk.services.mwaa.model.InvokeRestApiResponse;
import software.amazon.awssdk.services.mwaa.model.ResourceNotFoundException;
import software.amazon.awssdk.services.mwaa.model.RestApiClientException;
import software.amazon.awssdk.services.mwaa.model.RestApiServerException;
import software.amazon.awssdk.services.mwaa.model.ValidationException;

/**
 * The Airflow REST API of an MWAA environment through {@code InvokeRestApi} (SigV4, IAM action
 * {@code airflow:InvokeRestApi}). MWAA routes {@code Path} to {@code /api/v1} or {@code /api/v2} by the
 * environment's Airflow version and answers in JSON only, so logs come in the JSON form. Chosen over
 * {@code CreateWebLoginToken}/{@code CreateCliToken}: one signed call, no 60-second tokens or session cookies.
 */
final class MwaaTransport implements AirflowTransport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Mwaa settings;
    private final AwsCredentialsProvider credentials;
    private final MwaaClient client;

    MwaaTransport(Mwaa settings, AwsCredentialsProvider credentials) {
        this.settings = settings;
        this.credentials = credentials;
        MwaaClientBuilder builder = MwaaClient.builder()
                .region(Region.of(settings.region()))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> {
                    // retries are ours (Retry.call, bounded by the investigation's deadline), not the SDK's
                    o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    // InvokeRestApi's endpoint carries the host prefix "env."; an override names the exact host
                    settings.endpoint()
                            .ifPresent(e ->
                                    o.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true));
                });
        settings.endpoint().ifPresent(builder::endpointOverride);
        this.client = builder.build();
    }

    @Override
    public Detected detect(Budget budget) {
        Optional<String> release = release(ApiVersion.V1, budget);
        return new Detected(release.map(ApiVersion::forAirflowRelease).orElse(ApiVersion.V1), release);
    }

    @Override
    public Optional<String> release(ApiVersion version, Budget budget) {
        ApiReply reply = send(version, ApiCall.get(Map.of(), "version"), budget, DirectTransport.JSON_LIMIT);
        try {
            JsonNode v = JSON.readTree(reply.body()).get("version");
            return v != null && v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
        } catch (Exception notJson) {
            return Optional.empty();
        }
    }

    @Override
    public ApiReply send(ApiVersion version, ApiCall call, Budget budget, long textCap) {
        String what = describe(version, call);
        Duration timeout = CallTimeout.of(budget, what);
        InvokeRestApiRequest.Builder request = InvokeRestApiRequest.builder()
                .name(settings.environment())
                .path(UrlEncoding.path(call.segments(), true))
                .method(call.method())
                .overrideConfiguration(o -> o.apiCallTimeout(timeout).apiCallAttemptTimeout(timeout));
        if (!call.query().isEmpty()) {
            request.queryParameters(document(call.query()));
        }
        try {
            InvokeRestApiResponse response = client.invokeRestApi(request.build());
            String body = response.restApiResponse() == null
                    ? "null"
                    : json(response.restApiResponse()).toString();
            long bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            return new ApiReply("application/json", body, bytes, false, Optional.empty());
        } catch (SdkException e) {
            throw mapped(what, e, timeout);
        }
    }

    @Override
    public String describe(ApiVersion version, ApiCall call) {
        String query = UrlEncoding.query(call.printableQuery());
        return "MWAA InvokeRestApi " + settings.environment() + " " + call.method() + " "
                + UrlEncoding.path(call.segments(), true) + (query.isEmpty() ? "" : "?" + query);
    }

    @Override
    public String target() {
        return "MWAA environment " + settings.environment() + " (" + settings.region() + ")";
    }

    @Override
    public String identity() {
        return "the AWS principal of the default credential chain (airflow:InvokeRestApi)";
    }

    @Override
    public boolean viaMwaa() {
        return true;
    }

    @Override
    public void close() {
        client.close();
    }

    /** Maps once, here, every way InvokeRestApi fails into what the caller needs to decide. */
    private SourceException mapped(String what, SdkException e, Duration timeout) {
        return switch (e) {
            case RestApiClientException c ->
                SourceException.forStatus(
                        Optional.ofNullable(c.restApiStatusCode()).orElse(400),
                        what,
                        airflowSaid(c.restApiResponse()),
                        Optional.empty());
            case RestApiServerException s ->
                SourceException.forStatus(
                        Optional.ofNullable(s.restApiStatusCode())
                                .filter(code -> code >= 500)
                                .orElse(502),
                        what,
                        airflowSaid(s.restApiResponse()),
                        Optional.empty());
            case AccessDeniedException d ->
                new SourceException.Forbidden(what + ": AccessDeniedException " + awsSaid(d)
                        + " (the AWS principal needs airflow:InvokeRestApi on the environment)");
            // a missing environment is a configuration error, not a missing task instance
            case ResourceNotFoundException n ->
                new SourceException.BadRequest(what + ": ResourceNotFoundException " + awsSaid(n)
                        + " (check MWAA_ENVIRONMENT and AWS_REGION)");
            case ValidationException v -> new SourceException.BadRequest(what + ": ValidationException " + awsSaid(v));
            case InternalServerException i ->
                new SourceException.Unavailable(what + ": InternalServerException " + awsSaid(i));
            case AwsServiceException a
            when a.isThrottlingException() ->
                new SourceException.Throttled(
                        what + ": " + a.awsErrorDetails().errorCode() + " " + awsSaid(a), Optional.empty());
            case AwsServiceException a ->
                SourceException.forStatus(
                        a.statusCode(), what, a.awsErrorDetails().errorCode() + " " + awsSaid(a), Optional.empty());
            case ApiCallTimeoutException t ->
                new SourceException.TimedOut(what + ": no answer within " + CallTimeout.seconds(timeout));
            case ApiCallAttemptTimeoutException t ->
                new SourceException.TimedOut(what + ": no answer within " + CallTimeout.seconds(timeout));
            case SdkClientException c
            when c.getCause() instanceof InterruptedException -> new SourceException.TimedOut(what + ": interrupted");
            case SdkClientException c
            when !credentialsResolve() ->
                new SourceException.Unauthorized(
                        what + ": no AWS credentials found in the default chain (" + c.getMessage() + ")");
            default ->
                new SourceException.Unavailable(what + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
        };
    }

    /** Whether credentials can be found at all: a missing one is not worth retrying. */
    private boolean credentialsResolve() {
        try {
            credentials.resolveCredentials();
            return true;
        } catch (SdkException | IllegalStateException e) {
            return false;
        }
    }

    private static String awsSaid(AwsServiceException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage()
                : String.valueOf(e.getMessage());
    }

    private static String airflowSaid(Document response) {
        return response == null ? "" : ErrorDetail.of(json(response));
    }

    private static Document document(Map<String, String> query) {
        Document.MapBuilder map = Document.mapBuilder();
        query.forEach(map::putString);
        return map.build();
    }

    /** An SDK document as a Jackson tree, value for value. */
    static JsonNode json(Document d) {
        JsonNodeFactory f = JSON.getNodeFactory();
        if (d == null || d.isNull()) {
            return f.nullNode();
        }
        if (d.isString()) {
            return f.textNode(d.asString());
        }
        if (d.isBoolean()) {
            return f.booleanNode(d.asBoolean());
        }
        if (d.isNumber()) {
            return f.numberNode(d.asNumber().bigDecimalValue());
        }
        if (d.isList()) {
            ArrayNode array = f.arrayNode();
            d.asList().forEach(item -> array.add(json(item)));
            return array;
        }
        ObjectNode object = f.objectNode();
        d.asMap().forEach((k, v) -> object.set(k, json(v)));
        return object;
    }
}
