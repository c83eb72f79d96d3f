/** Codemods: deterministic, tested changes to PySpark jobs and DAG files, chosen by the diagnosis. */
package io.deagent.fixer;
