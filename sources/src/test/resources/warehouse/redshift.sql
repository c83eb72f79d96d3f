-- PostgreSQL made to look like Redshift for one connection: a schema put first on the search_path (before
-- pg_catalog) holds a version() that answers with a real Redshift version string, and tables shaped like the
-- Redshift system views (blank-padded CHAR columns, the same names and types). The source's SQL and its
-- Redshift detection run unchanged against it.

create schema redshift_fake;

create function redshift_fake.version() returns text language sql as $$
    select 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467'::text
$$;

create table redshift_fake.stl_load_errors (
    userid integer, slice integer, tbl integer, starttime timestamp, session integer, query integer,
    filename character(256), line_number bigint, colname character(127), type character(10),
    col_length character(10), position integer, raw_line character(1024), raw_field_value character(1024),
    err_code integer, err_reason character(100), is_partial integer, start_offset bigint
);

create table redshift_fake.stv_tbl_perm (
    slice integer, id integer, name character(72), rows bigint, sorted_rows bigint, temp integer, db_id integer,
    insert_pristine integer, delete_pristine integer, backup integer, dist_style integer, block_count integer
);

create table redshift_fake.sys_query_history (
    user_id integer, query_id bigint, query_label character(320), transaction_id bigint, session_id integer,
    database_name character(128), query_type character(32), status character(10), result_cache_hit boolean,
    start_time timestamp, end_time timestamp, elapsed_time bigint, queue_time bigint, execution_time bigint,
    error_message character(512), returned_rows bigint, returned_bytes bigint, query_text character(4000),
    redshift_version character(256), usage_limit character(150), compute_type character(32),
    compile_time bigint, planning_time bigint, lock_wait_time bigint
);

-- stg_orders lives on two slices (one row per slice, as in STV_TBL_PERM); customers is another table
insert into redshift_fake.stv_tbl_perm values
(0, 108234, 'stg_orders', 2406, 2406, 0, 100044, 0, 0, 1, 1, 12),
(1, 108234, 'stg_orders', 2406, 2406, 0, 100044, 0, 0, 1, 1, 12),
(0, 108240, 'customers', 800, 800, 0, 100044, 0, 0, 1, 1, 4);

insert into redshift_fake.stl_load_errors values
(104, 3, 108234, '2026-11-20 02:58:13.520125', 1073815778, 884123,
 's3://shop-landing/orders/2026-11-20/part-0003.csv.gz', 1822, 'customer_id', 'int4', '0', 0,
 '100231|N/A|2026-11-19 23:59:58|49.90', 'N/A', 1207, 'Invalid digit, Value ''N'', Pos 0, Type: Integer', 0, 0),
(104, 1, 108234, '2026-11-20 02:58:13.510021', 1073815778, 884123,
 's3://shop-landing/orders/2026-11-20/part-0001.csv.gz', 77, 'customer_id', 'int4', '0', 0,
 '100017||2026-11-19 22:10:02|12.00', '', 1213, 'Missing data for not-null field', 0, 0),
(104, 2, 108234, '2026-11-19 02:57:40.100000', 1073810001, 870001,
 's3://shop-landing/orders/2026-11-19/part-0000.csv.gz', 5, 'amount', 'numeric', '10', 0,
 '99812|4411|2026-11-18 20:01:00|12,5', '12,5', 1207, 'Invalid digit, Value '','', Pos 2, Type: Decimal', 0, 0),
(104, 0, 108240, '2026-11-20 02:50:00.000000', 1073815000, 884000,
 's3://shop-landing/customers/2026-11-20/part-0000.csv', 3, 'email', 'varchar', '256', 0,
 'x', 'x', 1204, 'String length exceeds DDL length', 0, 0);

insert into redshift_fake.sys_query_history values
(104, 884190, 'dbt', 9912345, 1073815779, 'analytics', 'INSERT', 'failed', false,
 '2026-11-20 03:01:00.312000', '2026-11-20 03:01:00.811000', 499000, 0, 0,
 'column "customer_idd" does not exist in stg_orders', 0, 0,
 'insert into "analytics"."staging"."stg_orders" select order_id, customer_idd from "analytics"."raw"."orders"',
 '1.0.77467', null, 'primary', 0, 0, 0),
(104, 870050, 'dbt', 9900001, 1073810002, 'analytics', 'INSERT', 'success', false,
 '2026-11-19 03:01:00.100000', '2026-11-19 03:01:41.300000', 41200000, 0, 41100000, null, 4812, 0,
 'insert into "analytics"."staging"."stg_orders" select order_id, customer_id from "analytics"."raw"."orders"',
 '1.0.77467', null, 'primary', 0, 0, 0),
(104, 884000, 'etl', 9912000, 1073815000, 'analytics', 'COPY', 'failed', false,
 '2026-11-20 02:50:00.000000', '2026-11-20 02:50:01.000000', 1000000, 0, 0,
 'Load into table ''customers'' failed.  Check ''stl_load_errors'' system table for details.', 0, 0,
 'copy customers from ''s3://shop-landing/customers/2026-11-20/''', '1.0.77467', null, 'primary', 0, 0, 0);

-- an older provisioned cluster: no SYS views, only STL (stl_query has no error text, but marks aborted queries)
create schema redshift_stl;

create function redshift_stl.version() returns text language sql as $$
    select 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.48805'::text
$$;

create table redshift_stl.stl_query (
    userid integer, query integer, label character(320), xid bigint, pid integer, database character(32),
    querytxt character(4000), starttime timestamp, endtime timestamp, aborted integer, insert_pristine integer,
    concurrency_scaling_status integer
);

insert into redshift_stl.stl_query values
(104, 884190, 'dbt', 9912345, 30211, 'analytics',
 'insert into "analytics"."staging"."stg_orders" select order_id, customer_idd from "analytics"."raw"."orders"',
 '2026-11-20 03:01:00.312000', '2026-11-20 03:01:00.811000', 1, 0, 0),
(104, 870050, 'dbt', 9900001, 30002, 'analytics',
 'insert into "analytics"."staging"."stg_orders" select order_id, customer_id from "analytics"."raw"."orders"',
 '2026-11-19 03:01:00.100000', '2026-11-19 03:01:41.300000', 0, 0, 0);
