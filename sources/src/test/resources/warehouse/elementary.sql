-- Elementary package tables (formats.md 5.3; column lists from elementary-data/dbt-data-reliability) with the
-- rows a failed night leaves behind: stg_orders errored on a renamed column, and the not_null test on
-- orders.customer_id failed with 12 rows. Older successful rows are there so "newest first" is tested.

create schema elementary;

create table elementary.dbt_run_results (
    model_execution_id     varchar(4096),
    unique_id              varchar(4096),
    invocation_id          varchar(4096),
    generated_at           varchar(4096),
    created_at             timestamp,
    name                   varchar(4096),
    message                text,
    status                 varchar(4096),
    resource_type          varchar(4096),
    execution_time         float,
    execute_started_at     varchar(4096),
    execute_completed_at   varchar(4096),
    compile_started_at     varchar(4096),
    compile_completed_at   varchar(4096),
    rows_affected          bigint,
    full_refresh           boolean,
    compiled_code          text,
    failures               bigint,
    query_id               varchar(4096),
    thread_id              varchar(4096),
    materialization        varchar(4096),
    adapter_response       text,
    group_name             varchar(4096)
);

insert into elementary.dbt_run_results values
('5b1f0c2e-7a0d-4a51-9d0e-2f6a1c9e0b11.model.shop.stg_orders', 'model.shop.stg_orders',
 '5b1f0c2e-7a0d-4a51-9d0e-2f6a1c9e0b11', '2026-11-19T03:02:10.481516Z', '2026-11-19 03:02:11', 'stg_orders',
 'INSERT 0 4812', 'success', 'model', 41.2, '2026-11-19T03:01:00.104422Z', '2026-11-19T03:01:41.311235Z',
 '2026-11-19T03:00:59.871002Z', '2026-11-19T03:01:00.100101Z', 4812, false,
 'insert into "analytics"."staging"."stg_orders" select order_id, customer_id from "analytics"."raw"."orders"',
 null, null, 'Thread-1 (worker)', 'incremental', '{"_message": "INSERT 0 4812", "code": "INSERT", "rows_affected": 4812}', null),
('9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2.model.shop.stg_orders', 'model.shop.stg_orders',
 '9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2', '2026-11-20T03:01:05.112233Z', '2026-11-20 03:01:06', 'stg_orders',
 E'Database Error in model stg_orders (models/staging/stg_orders.sql)\n  column "customer_idd" does not exist\n  compiled code at target/run/shop/models/staging/stg_orders.sql',
 'error', 'model', 0.83, '2026-11-20T03:01:00Z', '2026-11-20T03:01:00.830114Z',
 '2026-11-20T03:00:59.902311Z', '2026-11-20T03:00:59.998120Z', null, false,
 'insert into "analytics"."staging"."stg_orders" select order_id, customer_idd from "analytics"."raw"."orders"',
 null, null, 'Thread-1 (worker)', 'incremental', '{"_message": "", "code": null, "rows_affected": -1}', null),
('9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2.test.shop.not_null_orders_customer_id.5a1c2b3d4e', 'test.shop.not_null_orders_customer_id.5a1c2b3d4e',
 '9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2', '2026-11-20T03:01:05.112233Z', '2026-11-20 03:05:02', 'not_null_orders_customer_id',
 'Got 12 results, configured to fail if != 0', 'fail', 'test', 1.48, '2026-11-20T03:05:00.221100Z', '2026-11-20T03:05:01.701100Z',
 '2026-11-20T03:04:59.990000Z', '2026-11-20T03:05:00.200000Z', null, false,
 'select customer_id from "analytics"."marts"."orders" where customer_id is null',
 12, null, 'Thread-2 (worker)', 'test', '{"_message": "SELECT 12", "code": "SELECT", "rows_affected": 12}', null),
('9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2.model.shop.fct_revenue', 'model.shop.fct_revenue',
 '9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2', '2026-11-20T03:01:05.112233Z', '2026-11-20 03:03:00', 'fct_revenue',
 'SELECT 365', 'success', 'model', 12.9, '2026-11-20T03:02:40.000000Z', '2026-11-20T03:02:52.900000Z',
 null, null, 365, false, 'create table ...', null, null, 'Thread-3 (worker)', 'table', '{}', null);

create table elementary.elementary_test_results (
    id                        varchar(4096),
    data_issue_id             varchar(4096),
    test_execution_id         varchar(4096),
    test_unique_id            varchar(4096),
    model_unique_id           varchar(4096),
    invocation_id             varchar(4096),
    detected_at               timestamp,
    created_at                timestamp,
    database_name             varchar(4096),
    schema_name               varchar(4096),
    table_name                varchar(4096),
    column_name               varchar(4096),
    test_type                 varchar(4096),
    test_sub_type             varchar(4096),
    test_results_description  text,
    owners                    varchar(4096),
    tags                      varchar(4096),
    test_results_query        text,
    other                     varchar(4096),
    test_name                 text,
    test_params               text,
    severity                  varchar(4096),
    status                    varchar(4096),
    failures                  bigint,
    test_short_name           varchar(4096),
    test_alias                varchar(4096),
    result_rows               text,
    failed_row_count          bigint
);

insert into elementary.elementary_test_results values
('9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2.test.shop.not_null_orders_customer_id.5a1c2b3d4e', null,
 '9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2.test.shop.not_null_orders_customer_id.5a1c2b3d4e',
 'test.shop.not_null_orders_customer_id.5a1c2b3d4e', 'model.shop.orders', '9c4e2a71-3d55-4f0b-8a6c-71e0d9b5c3a2',
 '2026-11-20 03:05:01', '2026-11-20 03:05:03', 'analytics', 'marts', 'orders', 'customer_id', 'dbt_test',
 'generic', 'Got 12 results, configured to fail if != 0', '["data-platform"]', '["orders"]',
 'select customer_id from "analytics"."marts"."orders" where customer_id is null', null, 'not_null',
 '{"column_name": "customer_id", "model": "{{ get_where_subquery(ref(''orders'')) }}"}', 'ERROR', 'fail', 12,
 'not_null', 'not_null_orders_customer_id', null, 12),
('5b1f0c2e-7a0d-4a51-9d0e-2f6a1c9e0b11.test.shop.not_null_orders_customer_id.5a1c2b3d4e', null,
 '5b1f0c2e-7a0d-4a51-9d0e-2f6a1c9e0b11.test.shop.not_null_orders_customer_id.5a1c2b3d4e',
 'test.shop.not_null_orders_customer_id.5a1c2b3d4e', 'model.shop.orders', '5b1f0c2e-7a0d-4a51-9d0e-2f6a1c9e0b11',
 '2026-11-19 03:05:01', '2026-11-19 03:05:03', 'analytics', 'marts', 'orders', 'customer_id', 'dbt_test',
 'generic', null, '["data-platform"]', '["orders"]',
 'select customer_id from "analytics"."marts"."orders" where customer_id is null', null, 'not_null',
 '{"column_name": "customer_id"}', 'ERROR', 'pass', 0, 'not_null', 'not_null_orders_customer_id', null, 0);

create table elementary.dbt_models (
    unique_id             varchar(4096),
    alias                 varchar(4096),
    checksum              varchar(4096),
    materialization       varchar(4096),
    tags                  varchar(4096),
    meta                  text,
    owner                 varchar(4096),
    database_name         varchar(4096),
    schema_name           varchar(4096),
    depends_on_macros     text,
    depends_on_nodes      text,
    description           text,
    name                  varchar(4096),
    package_name          varchar(4096),
    original_path         text,
    path                  varchar(4096),
    patch_path            varchar(4096),
    generated_at          varchar(4096),
    metadata_hash         varchar(4096),
    unique_key            text,
    incremental_strategy  varchar(4096),
    group_name            varchar(4096),
    access                varchar(4096)
);

insert into elementary.dbt_models values
('model.shop.stg_orders', 'stg_orders', '2f1c0d9a8b7e6f5a4b3c2d1e0f9a8b7c', 'incremental', '["orders"]', '{}',
 'data-platform', 'analytics', 'staging', '["macro.dbt.is_incremental"]', '["source.shop.raw.orders"]',
 'Orders, one row per order, cleaned.', 'stg_orders', 'shop', 'models/staging/stg_orders.sql',
 'staging/stg_orders.sql', 'shop://models/staging/_staging.yml', '2026-11-20T03:00:58.000000Z',
 'a1b2c3', '"order_id"', 'merge', null, 'protected'),
('model.shop.orders', 'orders', '7e6f5a4b3c2d1e0f9a8b7c2f1c0d9a8b', 'table', '["orders"]', '{}',
 'data-platform', 'analytics', 'marts', '[]', '["model.shop.stg_orders", "model.shop.stg_customers"]',
 'Orders with customer attributes.', 'orders', 'shop', 'models/marts/orders.sql', 'marts/orders.sql',
 'shop://models/marts/_marts.yml', '2026-11-20T03:00:58.000000Z', 'd4e5f6', null, null, null, 'protected');

-- a team's own audit table, read by DE_AGENT_AUDIT_QUERY
create schema audit;
create table audit.pipeline_runs (
    dag_id      varchar(250),
    task_id     varchar(250),
    run_id      varchar(250),
    model       varchar(250),
    status      varchar(20),
    rows_loaded bigint,
    error       text,
    checked_at  timestamp
);
insert into audit.pipeline_runs values
('daily_orders', 'dbt_run_staging', 'scheduled__2026-11-20T03:00:00+00:00', 'stg_orders', 'failed', 0,
 'column "customer_idd" does not exist', '2026-11-20 03:01:07'),
('daily_orders', 'dbt_run_staging', 'scheduled__2026-11-19T03:00:00+00:00', 'stg_orders', 'ok', 4812, null,
 '2026-11-19 03:01:42'),
('daily_orders', 'dbt_run_marts', 'scheduled__2026-11-20T03:00:00+00:00', 'orders', 'ok', 9120, null,
 '2026-11-20 03:04:10');
