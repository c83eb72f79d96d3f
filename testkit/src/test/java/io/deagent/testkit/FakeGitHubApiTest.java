package io.deagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeGitHubApi.Route;
import io.deagent.testkit.FakeGitHubApi.Trouble;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssueComment;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHLabel;
import org.kohsuke.github.GHMyself;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRateLimit;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.HttpException;

/** The fake driven by the real client, {@code org.kohsuke:github-api}, as remediation will use it. */
class FakeGitHubApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPO = "acme/pipelines";
    private static final String BRANCH = "de-agent/fix-daily-orders-oom";

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-20T03:00:00Z"));
    private final FakeGitHubApi github = FakeGitHubApi.start(FakeGitHubApi.DEFAULT_TOKEN, "de-agent-bot", clock)
            .addRepository(REPO, "main");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        github.close();
    }

    private GitHub client(String endpoint) throws IOException {
        return new GitHubBuilder()
                .withEndpoint(endpoint)
                .withOAuthToken(FakeGitHubApi.DEFAULT_TOKEN)
                .build();
    }

    private static GHPullRequest openPullRequest(GHRepository repo) throws IOException {
        return repo.createPullRequest(
                "Raise executor memory for daily_orders",
                BRANCH,
                "main",
                "Diagnosis: out_of_memory_executor",
                true,
                false);
    }

    private static List<GHPullRequest> openPullsOf(GHRepository repo, String branch) throws IOException {
        return repo.queryPullRequests()
                .head(branch)
                .base("main")
                .state(GHIssueState.OPEN)
                .list()
                .toList();
    }

    @Test
    void theRealClientRunsThePullRequestFlowAndTheFakeKeepsWhatItDid() throws IOException {
        GitHub gh = client(github.baseUrl());
        List<String> whileBuilding = github.endpointsCalled();

        GHMyself me = gh.getMyself();
        GHRateLimit limit = gh.getRateLimit();
        GHRepository repo = gh.getRepository(REPO);
        List<GHPullRequest> before = openPullsOf(repo, BRANCH);
        github.markBranchPushed(REPO, BRANCH);
        GHPullRequest pr = openPullRequest(repo);
        List<GHLabel> labels = pr.addLabels("data-incident", "de-agent");
        GHIssueComment comment = pr.comment("Opened by de-agent for incident 42.");
        List<GHPullRequest> after = openPullsOf(repo, BRANCH);

        assertThat(me.getLogin()).isEqualTo("de-agent-bot");
        assertThat(limit.getCore().getLimit()).isEqualTo(FakeGitHubApi.RATE_LIMIT);
        assertThat(repo.getDefaultBranch()).isEqualTo("main");
        assertThat(repo.getFullName()).isEqualTo(REPO);
        assertThat(before).isEmpty();
        assertThat(pr.getNumber()).isEqualTo(1);
        assertThat(pr.getHtmlUrl().toString()).isEqualTo(github.webUrl() + "/acme/pipelines/pull/1");
        assertThat(pr.getUrl().toString()).isEqualTo(github.baseUrl() + "/repos/acme/pipelines/pulls/1");
        assertThat(pr.getHead().getRef()).isEqualTo(BRANCH);
        assertThat(pr.getHead().getLabel()).isEqualTo("acme:" + BRANCH);
        assertThat(pr.getBase().getRef()).isEqualTo("main");
        assertThat(pr.getState()).isEqualTo(GHIssueState.OPEN);
        assertThat(pr.isDraft()).isFalse();
        assertThat(pr.getUser().getLogin()).isEqualTo("de-agent-bot");
        assertThat(labels).extracting(GHLabel::getName).containsExactly("data-incident", "de-agent");
        assertThat(comment.getBody()).isEqualTo("Opened by de-agent for incident 42.");
        assertThat(after).extracting(GHPullRequest::getNumber).containsExactly(1);
        assertThat(after.get(0).getLabels()).extracting(GHLabel::getName).containsExactly("data-incident", "de-agent");

        FakeGitHubApi.PullRequest kept = github.pulls(REPO).get(0);
        assertThat(kept.title()).isEqualTo("Raise executor memory for daily_orders");
        assertThat(kept.body()).isEqualTo("Diagnosis: out_of_memory_executor");
        assertThat(kept.headLabel()).isEqualTo("acme:" + BRANCH);
        assertThat(kept.maintainerCanModify()).isTrue();
        assertThat(kept.isOpen()).isTrue();
        assertThat(kept.htmlUrl()).isEqualTo(pr.getHtmlUrl().toString());
        assertThat(github.labels(REPO, 1)).containsExactly("data-incident", "de-agent");
        assertThat(github.comments(REPO, 1))
                .extracting(FakeGitHubApi.Comment::body)
                .containsExactly("Opened by de-agent for incident 42.");

        // the exact endpoints github-api 1.330 called for this flow; building the client loads the login
        assertThat(whileBuilding).containsExactly("GET /user");
        assertThat(github.calls(Route.AUTHENTICATED_USER)).hasSize(1);
        assertThat(github.endpointsCalled())
                .containsExactly(
                        "GET /user",
                        "GET /rate_limit",
                        "GET /repos/{owner}/{repo}",
                        "GET /repos/{owner}/{repo}/pulls",
                        "POST /repos/{owner}/{repo}/pulls",
                        "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
                        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments");
        FakeGitHubApi.Call query = github.calls(Route.LIST_PULLS).get(0);
        assertThat(query.queryParam("head")).contains("acme:" + BRANCH);
        assertThat(query.queryParam("base")).contains("main");
        assertThat(query.queryParam("state")).contains("open");
        FakeGitHubApi.Call create = github.calls(Route.CREATE_PULL).get(0);
        assertThat(create.header("Authorization")).contains("token " + FakeGitHubApi.DEFAULT_TOKEN);
        assertThat(create.header("X-GitHub-Api-Version")).contains("2022-11-28");
        assertThat(create.json().get("head").asText()).isEqualTo(BRANCH);
        assertThat(create.json().get("draft").asBoolean()).isFalse();
        assertThat(github.calls(Route.ADD_LABELS).get(0).json().get("labels"))
                .containsExactly(
                        JSON.getNodeFactory().textNode("data-incident"),
                        JSON.getNodeFactory().textNode("de-agent"));
    }

    @Test
    void theEnterpriseBaseUrlServesTheSameApiUnderApiV3() throws Exception {
        GitHub gh = client(github.enterpriseBaseUrl());
        github.markBranchPushed(REPO, BRANCH);

        gh.checkApiUrlValidity();
        GHPullRequest pr = openPullRequest(gh.getRepository(REPO));

        assertThat(pr.getUrl().toString()).isEqualTo(github.enterpriseBaseUrl() + "/repos/acme/pipelines/pulls/1");
        assertThat(github.calls()).allSatisfy(c -> assertThat(c.enterprise()).isTrue());
        assertThat(github.calls(Route.CREATE_PULL).get(0).toString())
                .isEqualTo("POST /api/v3/repos/acme/pipelines/pulls");
        HttpResponse<String> repo =
                get(github.enterpriseBaseUrl() + "/repos/acme/pipelines", "Bearer " + github.token());
        assertThat(repo.headers().firstValue("X-GitHub-Enterprise-Version")).contains(FakeGitHubApi.ENTERPRISE_VERSION);
        assertThat(JSON.readTree(repo.body()).get("url").asText())
                .isEqualTo(github.enterpriseBaseUrl() + "/repos/acme/pipelines");
        HttpResponse<String> dotCom = get(github.baseUrl() + "/repos/acme/pipelines", "Bearer " + github.token());
        assertThat(dotCom.headers().firstValue("X-GitHub-Enterprise-Version")).isEmpty();
    }

    @Test
    void aWrongTokenIsBadCredentialsAndNoTokenRequiresAuthentication() throws Exception {
        GitHub wrong = new GitHubBuilder()
                .withEndpoint(github.baseUrl())
                .withOAuthToken("ghp_not_the_right_one")
                .build();

        assertThat(wrong.isCredentialValid()).isFalse();
        assertThatThrownBy(() -> wrong.getRepository(REPO)).isInstanceOfSatisfying(HttpException.class, e -> {
            assertThat(e.getResponseCode()).isEqualTo(401);
            assertThat(e.getMessage()).contains("\"message\":\"Bad credentials\"");
        });

        HttpResponse<String> anonymous = get(github.baseUrl() + "/repos/acme/pipelines", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(anonymous.body()).get("message").asText()).isEqualTo("Requires authentication");
        assertThat(anonymous.headers().firstValue("x-ratelimit-limit")).contains("60");
        assertThat(get(github.baseUrl() + "/", null).statusCode()).isEqualTo(200);
        HttpResponse<String> bearer = get(github.baseUrl() + "/user", "Bearer " + FakeGitHubApi.DEFAULT_TOKEN);
        assertThat(bearer.statusCode()).isEqualTo(200);
    }

    @Test
    void aSecondPullRequestForTheSameHeadIsGitHubs422VerbatimAndTheFirstCanBeFound() throws Exception {
        GHRepository repo = client(github.baseUrl()).getRepository(REPO);
        github.markBranchPushed(REPO, BRANCH);
        openPullRequest(repo);

        HttpException e = catchThrowableOfType(HttpException.class, () -> openPullRequest(repo));

        assertThat(e.getResponseCode()).isEqualTo(422);
        String expected = sample("reference/github/create_pull_422_already_exists.json")
                .replace("***:branch_name", "acme:" + BRANCH);
        assertThat(JSON.readTree(e.getMessage())).isEqualTo(JSON.readTree(expected));
        assertThat(github.pulls(REPO)).hasSize(1);
        // the idempotent path: find the open one instead of creating another
        assertThat(openPullsOf(repo, BRANCH))
                .extracting(GHPullRequest::getNumber)
                .containsExactly(1);
    }

    @Test
    void aHeadBranchThatWasNeverPushedIsAnInvalidHead() throws Exception {
        GHRepository repo = client(github.baseUrl()).getRepository(REPO);

        HttpException noBranch = catchThrowableOfType(HttpException.class, () -> openPullRequest(repo));
        HttpException noBase =
                catchThrowableOfType(HttpException.class, () -> repo.createPullRequest("t", BRANCH, "develop", "b"));
        github.markBranchPushed(REPO, BRANCH);
        HttpException sameBranch =
                catchThrowableOfType(HttpException.class, () -> repo.createPullRequest("t", "main", "main", "b"));

        assertThat(noBranch.getResponseCode()).isEqualTo(422);
        JsonNode head = JSON.readTree(noBranch.getMessage());
        assertThat(head.get("message").asText()).isEqualTo("Validation Failed");
        assertThat(head.get("errors"))
                .isEqualTo(JSON.readTree("[{\"resource\":\"PullRequest\",\"field\":\"head\",\"code\":\"invalid\"}]"));
        assertThat(head.get("documentation_url").asText())
                .isEqualTo("https://docs.github.com/rest/pulls/pulls#create-a-pull-request");
        assertThat(JSON.readTree(noBase.getMessage()).at("/errors/0/field").asText())
                .isEqualTo("base");
        assertThat(JSON.readTree(sameBranch.getMessage())
                        .at("/errors/0/message")
                        .asText())
                .isEqualTo("No commits between main and main");
        assertThat(github.pulls(REPO)).isEmpty();
    }

    @Test
    void aBranchLookupFindsTheBranchInARealBareRepositoryAndItsCommit(@TempDir Path dir) throws Exception {
        Path bare = dir.resolve("pipelines.git");
        Path work = dir.resolve("work");
        git(dir, "init", "--quiet", "--bare", "--initial-branch=main", bare.toString());
        git(dir, "init", "--quiet", "--initial-branch=main", work.toString());
        Files.writeString(work.resolve("job.py"), "spark.executor.memory = '8g'\n");
        git(work, "add", "job.py");
        git(
                work,
                "-c",
                "user.name=de-agent",
                "-c",
                "user.email=de-agent@example.com",
                "commit",
                "--quiet",
                "-m",
                "fix");
        git(work, "push", "--quiet", bare.toUri().toString(), "HEAD:refs/heads/" + BRANCH);
        String pushed = git(work, "rev-parse", "HEAD");
        github.lookUpBranches(REPO, branch -> {
            try {
                String sha = git(dir, "--git-dir=" + bare, "rev-parse", "--verify", "--quiet", "refs/heads/" + branch);
                return sha.isEmpty() ? Optional.empty() : Optional.of(sha);
            } catch (IOException | InterruptedException e) {
                return Optional.empty();
            }
        });
        GHRepository repo = client(github.baseUrl()).getRepository(REPO);

        GHPullRequest pr = openPullRequest(repo);
        HttpException other = catchThrowableOfType(
                HttpException.class, () -> repo.createPullRequest("t", "de-agent/never-pushed", "main", "b"));

        assertThat(pr.getHead().getSha()).isEqualTo(pushed);
        assertThat(repo.getBranch(BRANCH).getSHA1()).isEqualTo(pushed);
        assertThat(repo.getRef("heads/" + BRANCH).getObject().getSha()).isEqualTo(pushed);
        assertThat(JSON.readTree(other.getMessage()).at("/errors/0/field").asText())
                .isEqualTo("head");
        assertThatThrownBy(() -> repo.getBranch("de-agent/never-pushed")).isInstanceOf(GHFileNotFoundException.class);
    }

    @Test
    void listingFiltersByHeadBaseAndStateAndPagesWithLinkHeaders() throws Exception {
        GHRepository repo = client(github.baseUrl()).getRepository(REPO);
        for (int i = 1; i <= 3; i++) {
            github.markBranchPushed(REPO, "fix-" + i);
            repo.createPullRequest("fix " + i, "fix-" + i, "main", "b");
        }
        github.closePull(REPO, 2, true);

        List<GHPullRequest> paged = repo.queryPullRequests()
                .state(GHIssueState.ALL)
                .list()
                .withPageSize(2)
                .toList();
        List<GHPullRequest> open =
                repo.queryPullRequests().state(GHIssueState.OPEN).list().toList();
        List<GHPullRequest> closed =
                repo.queryPullRequests().state(GHIssueState.CLOSED).list().toList();
        List<GHPullRequest> fix3 = openPullsOf(repo, "fix-3");

        assertThat(paged).extracting(GHPullRequest::getNumber).containsExactly(3, 2, 1);
        assertThat(github.calls(Route.LIST_PULLS).subList(0, 2))
                .extracting(c -> c.queryParam("page").orElse("1"))
                .containsExactly("1", "2");
        assertThat(open).extracting(GHPullRequest::getNumber).containsExactly(3, 1);
        assertThat(closed).extracting(GHPullRequest::getNumber).containsExactly(2);
        assertThat(closed.get(0).isMerged()).isTrue();
        assertThat(fix3).extracting(GHPullRequest::getNumber).containsExactly(3);

        HttpResponse<String> first =
                get(github.baseUrl() + "/repos/acme/pipelines/pulls?state=all&per_page=2", "token " + github.token());
        assertThat(first.headers().firstValue("Link").orElseThrow())
                .contains("page=2>; rel=\"next\"")
                .contains("rel=\"last\"");
        // GitHub ignores a head filter without "owner:", so this lists every open pull request
        HttpResponse<String> bareHead =
                get(github.baseUrl() + "/repos/acme/pipelines/pulls?head=fix-3", "token " + github.token());
        assertThat(JSON.readTree(bareHead.body())).hasSize(2);
    }

    @Test
    void everyAnswerCarriesRateLimitHeadersAndASpentLimitIsGitHubs403() throws Exception {
        GitHub gh = new GitHubBuilder()
                .withEndpoint(github.baseUrl())
                .withOAuthToken(FakeGitHubApi.DEFAULT_TOKEN)
                .withRateLimitHandler(GitHubRateLimitHandler.FAIL)
                .build();

        HttpResponse<String> one = get(github.baseUrl() + "/repos/acme/pipelines", "token " + github.token());
        HttpResponse<String> missing = get(github.baseUrl() + "/repos/acme/nope", "token " + github.token());
        // building the client already spent one request: it loads the token's login with GET /user
        assertThat(github.calls()).extracting(FakeGitHubApi.Call::toString).startsWith("GET /user");
        assertThat(one.headers().firstValue("x-ratelimit-limit")).contains("5000");
        assertThat(one.headers().firstValue("x-ratelimit-remaining")).contains("4998");
        assertThat(one.headers().firstValue("x-ratelimit-used")).contains("2");
        assertThat(one.headers().firstValue("x-ratelimit-resource")).contains("core");
        assertThat(one.headers().firstValue("x-ratelimit-reset"))
                .contains(String.valueOf(Instant.parse("2026-11-20T04:00:00Z").getEpochSecond()));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("x-ratelimit-remaining")).contains("4997");

        github.rateLimitRemaining(1);
        gh.getRepository(REPO);
        HttpException spent = catchThrowableOfType(HttpException.class, () -> gh.getRepository(REPO));
        assertThat(spent.getResponseCode()).isEqualTo(403);
        assertThat(spent.getMessage()).contains("API rate limit reached");
        HttpResponse<String> raw = get(github.baseUrl() + "/repos/acme/pipelines", "token " + github.token());
        assertThat(raw.statusCode()).isEqualTo(403);
        assertThat(raw.headers().firstValue("x-ratelimit-remaining")).contains("0");
        assertThat(JSON.readTree(raw.body()).get("message").asText()).startsWith("API rate limit exceeded for user ID");

        clock.advance(Duration.ofHours(1));
        assertThat(gh.getRepository(REPO).getDefaultBranch()).isEqualTo("main");
    }

    @Test
    void aSecondaryRateLimitIsWaitedOutByTheClientOrReportedWhenItWillNotWait() throws Exception {
        github.markBranchPushed(REPO, BRANCH);
        github.failNext(Route.CREATE_PULL, 1, Trouble.secondaryRateLimit(1));
        GHRepository waiting = client(github.baseUrl()).getRepository(REPO);

        GHPullRequest pr = openPullRequest(waiting);

        assertThat(pr.getNumber()).isEqualTo(1);
        assertThat(github.calls(Route.CREATE_PULL)).hasSize(2);

        github.failNext(Route.ADD_LABELS, 1, Trouble.secondaryRateLimit(60));
        GHRepository failing = new GitHubBuilder()
                .withEndpoint(github.baseUrl())
                .withOAuthToken(FakeGitHubApi.DEFAULT_TOKEN)
                .withAbuseLimitHandler(GitHubAbuseLimitHandler.FAIL)
                .build()
                .getRepository(REPO);
        GHPullRequest same = failing.getPullRequest(1);
        HttpException limited = catchThrowableOfType(HttpException.class, () -> same.addLabels("x"));
        assertThat(limited.getResponseCode()).isEqualTo(403);
        assertThat(limited.getResponseHeaderFields().get("Retry-After")).containsExactly("60");
        assertThat(github.labels(REPO, 1)).isEmpty();
    }

    @Test
    void serverErrorsHangsAndDropsReachTheClient() throws Exception {
        GHRepository repo = client(github.baseUrl()).getRepository(REPO);
        github.markBranchPushed(REPO, BRANCH);
        github.failNext(Route.CREATE_PULL, 1, Trouble.serverError());

        HttpException down = catchThrowableOfType(HttpException.class, () -> openPullRequest(repo));
        assertThat(down.getResponseCode()).isEqualTo(500);
        assertThat(github.pulls(REPO)).isEmpty();

        // the JDK client retries an idempotent GET once on a dropped connection by itself, so drop a POST
        github.failNext(Route.CREATE_PULL, 1, Trouble.drop());
        assertThatThrownBy(() -> openPullRequest(repo)).isInstanceOf(IOException.class);
        assertThat(github.pulls(REPO)).isEmpty();

        github.failNext(Route.LIST_PULLS, 1, Trouble.hang());
        CompletableFuture<List<GHPullRequest>> hung = CompletableFuture.supplyAsync(() -> {
            try {
                return openPullsOf(repo, BRANCH);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        github.awaitCall(Route.LIST_PULLS, c -> true, Duration.ofSeconds(5));
        assertThatThrownBy(() -> hung.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        github.close();
        assertThatThrownBy(() -> hung.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void failAlwaysIsAnOutageUntilCleared() throws Exception {
        github.failAlways(Trouble.status(503, "Service Unavailable"));

        HttpResponse<String> down = get(github.baseUrl() + "/repos/acme/pipelines", "token " + github.token());
        github.clearTrouble();
        HttpResponse<String> up = get(github.baseUrl() + "/repos/acme/pipelines", "token " + github.token());

        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(down.body()).get("message").asText()).isEqualTo("Service Unavailable");
        assertThat(down.headers().firstValue("x-ratelimit-limit")).isPresent();
        assertThat(up.statusCode()).isEqualTo(200);
    }

    @Test
    void reviewersMustBeCollaboratorsOtherThanTheAuthor() throws Exception {
        github.addCollaborators(REPO, "data-oncall").markBranchPushed(REPO, BRANCH);
        GitHub gh = client(github.baseUrl());
        GHPullRequest pr = openPullRequest(gh.getRepository(REPO));

        HttpException author = catchThrowableOfType(
                HttpException.class, () -> pr.requestReviewers(List.of(gh.getUser("de-agent-bot"))));
        HttpException stranger = catchThrowableOfType(
                HttpException.class, () -> pr.requestReviewers(List.of(gh.getUser("someone-else"))));
        pr.requestReviewers(List.of(gh.getUser("data-oncall")));

        assertThat(JSON.readTree(author.getMessage()).get("message").asText())
                .isEqualTo("Review cannot be requested from pull request author.");
        assertThat(JSON.readTree(stranger.getMessage()).get("message").asText())
                .startsWith("Reviews may only be requested from collaborators.");
        assertThat(github.pull(REPO, 1).orElseThrow().requestedReviewers()).containsExactly("data-oncall");
    }

    @Test
    void closingAndReopeningFollowGitHubsRules() throws Exception {
        GHRepository repo = client(github.baseUrl()).getRepository(REPO);
        github.markBranchPushed(REPO, BRANCH);
        GHPullRequest first = openPullRequest(repo);
        first.close();
        GHPullRequest second = openPullRequest(repo);

        HttpException reopen = catchThrowableOfType(HttpException.class, first::reopen);

        assertThat(second.getNumber()).isEqualTo(2);
        assertThat(reopen.getResponseCode()).isEqualTo(422);
        assertThat(github.pulls(REPO))
                .extracting(FakeGitHubApi.PullRequest::state)
                .containsExactly("closed", "open");
        assertThat(repo.getPullRequest(2).getMergeable()).isTrue();
    }

    @Test
    void unknownRepositoriesAndRoutesAreGitHubs404() throws Exception {
        GitHub gh = client(github.baseUrl());

        assertThatThrownBy(() -> gh.getRepository("acme/nope")).isInstanceOf(GHFileNotFoundException.class);
        HttpResponse<String> unknown =
                get(github.baseUrl() + "/repos/acme/pipelines/actions/runs", "token " + github.token());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("message").asText()).isEqualTo("Not Found");
        assertThat(github.endpointsCalled()).contains("GET /repos/acme/pipelines/actions/runs (unknown)");
        assertThatThrownBy(() -> github.pulls("acme/nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("add it first");
    }

    // ---- helpers ----

    private HttpResponse<String> get(String url, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5))
                .header("Accept", "application/vnd.github+json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sample(String resource) throws IOException {
        try (InputStream in = FakeGitHubApiTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = p.waitFor();
        if (code != 0 && !(code == 1 && out.isEmpty())) {
            throw new IOException("git " + String.join(" ", args) + " failed (" + code + "): " + out);
        }
        return out;
    }

    /** A clock a test moves by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
