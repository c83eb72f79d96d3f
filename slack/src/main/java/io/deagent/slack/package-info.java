/** The Slack door: verified Events API requests in, Airflow alerts recognised, Block Kit replies out. */
package io.deagent.slack;
