{%- set bigint = dbt.type_bigint() -%}
{#-
    One row per provider and UTC day on which a loader run or an export job ended: the runs of
    load_history and the jobs of the export_jobs ledger (docs/CONTRACTS.md 21).
-#}
with

runs as (

    select
        *,
        cast(finished_at as date) as day
    from {{ ref('int_load_runs__unioned') }}

),

export_jobs as (

    select
        *,
        cast(coalesce(finished_at, requested_at) as date) as day
    from {{ ref('int_export_jobs__unioned') }}

),

runs_per_day as (

    select
        provider,
        day,
        count(*) as load_runs,
        count(case when run_status = 'succeeded' then 1 end) as succeeded_load_runs,
        count(case when run_status = 'failed' then 1 end) as failed_load_runs,
        count(case when run_status = 'incomplete' then 1 end) as incomplete_load_runs,
        cast(sum(row_count) as {{ bigint }}) as rows_loaded,
        sum(duration_seconds) as load_seconds,
        max(finished_at) as last_run_at
    from runs
    group by provider, day

),

ranked_runs as (

    select
        provider,
        day,
        run_status,
        error_message,
        row_number() over (
            partition by provider, day order by finished_at desc, run_id desc
        ) as run_rank,
        row_number() over (
            partition by provider, day, run_status order by finished_at desc, run_id desc
        ) as status_rank
    from runs

),

exports_per_day as (

    select
        provider,
        day,
        count(*) as export_jobs,
        -- not completed: ended in error, or split into two halves after a failure
        count(case when export_status <> 'completed' then 1 end) as failed_export_jobs,
        cast(sum(row_count) as {{ bigint }}) as export_rows,
        sum(duration_seconds) as export_seconds
    from export_jobs
    group by provider, day

),

days as (

    select provider, day from runs_per_day
    union
    select provider, day from exports_per_day

),

last_successes as (

    -- the latest succeeded run's end at or before the end of each day, over all history
    select
        days.provider,
        days.day,
        max(runs.finished_at) as last_succeeded_load_at
    from days
    left join runs
        on
            runs.provider = days.provider
            and runs.run_status = 'succeeded'
            and runs.finished_at < {{ dbt.dateadd('day', 1, 'days.day') }}
    group by days.provider, days.day

),

final as (

    select
        days.provider,
        days.day,
        coalesce(runs_per_day.load_runs, 0) as load_runs,
        coalesce(runs_per_day.succeeded_load_runs, 0) as succeeded_load_runs,
        coalesce(runs_per_day.failed_load_runs, 0) as failed_load_runs,
        coalesce(runs_per_day.incomplete_load_runs, 0) as incomplete_load_runs,
        coalesce(runs_per_day.rows_loaded, 0) as rows_loaded,
        coalesce(runs_per_day.load_seconds, 0) as load_seconds,
        runs_per_day.last_run_at,
        last_runs.run_status as last_run_status,
        last_failures.error_message as last_error,
        coalesce(exports_per_day.export_jobs, 0) as export_jobs,
        coalesce(exports_per_day.failed_export_jobs, 0) as failed_export_jobs,
        coalesce(exports_per_day.export_rows, 0) as export_rows,
        coalesce(exports_per_day.export_seconds, 0) as export_seconds,
        last_successes.last_succeeded_load_at
    from days
    left join runs_per_day
        on runs_per_day.provider = days.provider and runs_per_day.day = days.day
    left join ranked_runs as last_runs
        on
            last_runs.provider = days.provider
            and last_runs.day = days.day
            and last_runs.run_rank = 1
    left join ranked_runs as last_failures
        on
            last_failures.provider = days.provider
            and last_failures.day = days.day
            and last_failures.run_status = 'failed'
            and last_failures.status_rank = 1
    left join exports_per_day
        on exports_per_day.provider = days.provider and exports_per_day.day = days.day
    left join last_successes
        on last_successes.provider = days.provider and last_successes.day = days.day

)

select * from final
