{#-
    One row per campaign, cohort, bounce_class, cohort hour and outcome hour (local clock hours of
    the reporting time zone, as UTC starts): the pairs behind the report rates (CONTRACTS.md 9):
    `delivered_open` / `delivered_click` = pairs first delivered in `cohort_hour_start_utc` and
    first opened / clicked in `outcome_hour_start_utc`; `delivered_human_open` /
    `delivered_human_click` the same with the pair's first human open / click (issue 16:
    fct_email_deliveries.first_human_opened_at / first_human_clicked_at); `sent_bounce` = pairs
    first sent in the cohort hour and first bounced (class hard or soft) in the outcome hour. A
    calendar period's rate numerator is the sum over cohort hours in the period and outcome hours
    before its end.
    Incremental as int_email_report_first_events__hourly (whole campaigns replaced).
-#}

{{
    config(
        materialized='incremental',
        unique_key='campaign_key',
    )
}}

{#- changed_pairs or fct_email_deliveries (macros/reports/report_aggregates.sql) -#}
-- depends_on: {{ ref('fct_email_deliveries') }}
{%- set pairs = report_pairs_relation() %}

with

{{ report_changed_pairs_cte() }}

cohorts as (

    -- per quarter hour of both times (report_quarter_hour_start): the local hours are computed
    -- per quarter pair, not per delivery pair
    {%- for cohort, cohort_at, outcome_at, condition in [
        ('delivered_open', report_first_delivered_at(), 'first_opened_at', 'true'),
        ('delivered_click', report_first_delivered_at(), 'first_clicked_at', 'true'),
        ('delivered_human_open', report_first_delivered_at(), 'first_human_opened_at', 'true'),
        ('delivered_human_click', report_first_delivered_at(), 'first_human_clicked_at', 'true'),
        ('sent_bounce', 'first_sent_at', 'first_bounced_at', "bounce_class in ('hard', 'soft')"),
    ] %}
    {%- set cohort_quarter = report_quarter_hour_start('cast(' ~ cohort_at ~ ' as ' ~ dbt.type_timestamp() ~ ')') %}
    {%- set outcome_quarter = report_quarter_hour_start('cast(' ~ outcome_at ~ ' as ' ~ dbt.type_timestamp() ~ ')') %}
    select
        provider,
        account_id,
        campaign_id,
        '{{ cohort }}' as cohort,
        case when '{{ cohort }}' = 'sent_bounce' then bounce_class end as bounce_class,
        {{ cohort_quarter }} as cohort_quarter_utc,
        {{ outcome_quarter }} as outcome_quarter_utc,
        count(*) as pair_count,
        max(last_loaded_at) as last_loaded_at
    from {{ pairs }}
    where ({{ cohort_at }}) is not null
        and {{ outcome_at }} is not null
        and {{ condition }}
    group by
        provider,
        account_id,
        campaign_id,
        case when '{{ cohort }}' = 'sent_bounce' then bounce_class end,
        {{ cohort_quarter }},
        {{ outcome_quarter }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        {{ report_campaign_key() }} as campaign_key,
        provider,
        account_id,
        campaign_id,
        cohort,
        bounce_class,
        {{ report_local_hour_of_quarter('cohort_quarter_utc') }} as cohort_hour_start_utc,
        {{ report_local_hour_of_quarter('outcome_quarter_utc') }} as outcome_hour_start_utc,
        cast(sum(pair_count) as {{ dbt.type_bigint() }}) as pair_count,
        max(last_loaded_at) as last_loaded_at
    from cohorts
    group by
        provider,
        account_id,
        campaign_id,
        cohort,
        bounce_class,
        {{ report_local_hour_of_quarter('cohort_quarter_utc') }},
        {{ report_local_hour_of_quarter('outcome_quarter_utc') }}

)

select * from final
