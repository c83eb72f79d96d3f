/**
 * CloudWatch Logs sources: the MWAA task log of the failed try ({@link io.deagent.sources.cloudwatch.MwaaTaskLogSource})
 * and recent Lambda errors through Logs Insights ({@link io.deagent.sources.cloudwatch.LambdaErrorsSource}).
 */
package io.deagent.sources.cloudwatch;
