{#-
    One row per campaign, cohort, bounce_class, cohort hour and outcome hour (local clock hours of
    the reporting time zone, as UTC starts): the pairs behind the report rates (CONTRACTS.md 9):
    `delivered_open` / `delivered_click` = pairs first delivered in `cohort_hour_start_utc` and
    first opened / clicked in `outcome_hour_start_utc`; `sent_bounce` = pairs first sent in the
    cohort hour and first bounced (class hard or soft) in the outcome hour. A calendar period's
    rate numerator is the sum over cohort hours in the period and outcome hours before its end.
    Incremental as int_email_report_first_events__hourly (whole campaigns replaced).
-#}

{{
    config(
        materialized='incremental',
        unique_key='campaign_key',
        incremental_strategy='delete+insert',
    )
}}

with

pairs as (

    select
        changed.*,
        {{ report_first_delivered_at() }} as delivered_at
    from ({{ report_changed_campaign_pairs(ref('fct_email_deliveries'), is_incremental()) }}) as changed

),

cohorts as (

    {%- for cohort, cohort_at, outcome_at, condition in [
        ('delivered_open', 'delivered_at', 'first_opened_at', 'true'),
        ('delivered_click', 'delivered_at', 'first_clicked_at', 'true'),
        ('sent_bounce', 'first_sent_at', 'first_bounced_at', "bounce_class in ('hard', 'soft')"),
    ] %}
    select
        provider,
        account_id,
        campaign_id,
        '{{ cohort }}' as cohort,
        case when '{{ cohort }}' = 'sent_bounce' then bounce_class end as bounce_class,
        {{ local_hour_start_utc('cast(' ~ cohort_at ~ ' as ' ~ dbt.type_timestamp() ~ ')', reporting_timezone()) }} as cohort_hour_start_utc,
        {{ local_hour_start_utc('cast(' ~ outcome_at ~ ' as ' ~ dbt.type_timestamp() ~ ')', reporting_timezone()) }} as outcome_hour_start_utc,
        last_loaded_at
    from pairs
    where {{ cohort_at }} is not null
        and {{ outcome_at }} is not null
        and {{ condition }}
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
        cohort_hour_start_utc,
        outcome_hour_start_utc,
        count(*) as pair_count,
        max(last_loaded_at) as last_loaded_at
    from cohorts
    group by
        provider,
        account_id,
        campaign_id,
        cohort,
        bounce_class,
        cohort_hour_start_utc,
        outcome_hour_start_utc

)

select * from final
