{#-
    One row per Maxemail account_id, campaign_id (email id) and metric: the provider's own total
    from `email_campaign.find` beside the same number modelled in email_campaign_report, and the
    difference (modelled - reported). A data test fails when any |difference| exceeds the var
    `reconciliation_tolerance`. A total `find` did not return (null) is not reconciled.
-#}

{{ config(enabled=var('maxemail_enabled', true)) }}

{#- (metric as `find` names it, its expression on stg_maxemail__campaigns, the report column) -#}
{%- set metrics = [
    ('total_sent', 'sent_count', 'sent_count'),
    ('total_unique_opens', 'unique_open_count', 'unique_open_count'),
    ('total_unique_clickthrus', 'unique_click_count', 'unique_click_count'),
    ('total_bounces_hard', 'hard_bounce_count', 'hard_bounce_count'),
    ('total_bounces_soft', 'soft_bounce_count', 'soft_bounce_count'),
    ('total_unsubscribes_global_local', 'global_local_unsubscribe_count', 'unsubscribe_count'),
    ('total_unsubscribes_feedback', 'feedback_unsubscribe_count', 'complaint_count'),
] -%}

with

provider_totals as (

    select * from {{ ref('stg_maxemail__campaigns') }}

),

campaign_report as (

    select * from {{ ref('email_campaign_report') }}
    where provider = 'maxemail'

),

reported as (

    select
        account_id,
        cast(email_id as {{ dbt.type_string() }}) as campaign_id,
        message_type,
        fetched_at,
        {% for _, column, _ in metrics if column != 'global_local_unsubscribe_count' -%}
        {{ column }},
        {% endfor -%}
        -- our unsubscribe_count holds global and local unsubscribes (feedback is a complaint)
        case
            when global_unsubscribe_count is null and local_unsubscribe_count is null then null
            else coalesce(global_unsubscribe_count, 0) + coalesce(local_unsubscribe_count, 0)
        end as global_local_unsubscribe_count

    from provider_totals

),

campaign_ids as (

    -- campaigns known to either side: a message without events is modelled as 0, a message
    -- `find` has not answered for has no reported numbers
    select account_id, campaign_id from reported

    union

    select account_id, campaign_id from campaign_report

),

paired as (

    select
        campaign_ids.account_id,
        campaign_ids.campaign_id,
        coalesce(reported.message_type, campaign_report.message_type) as message_type,
        reported.fetched_at as reported_at,
        {% for metric, reported_column, report_column in metrics -%}
        reported.{{ reported_column }} as reported__{{ metric }},
        coalesce(campaign_report.{{ report_column }}, 0) as modelled__{{ metric }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}

    from campaign_ids
    left join reported
        on campaign_ids.account_id = reported.account_id
        and campaign_ids.campaign_id = reported.campaign_id
    left join campaign_report
        on campaign_ids.account_id = campaign_report.account_id
        and campaign_ids.campaign_id = campaign_report.campaign_id

),

unpivoted as (

    {% for metric, _, report_column in metrics -%}
    select
        'maxemail' as provider,
        account_id,
        campaign_id,
        message_type,
        '{{ metric }}' as metric,
        '{{ report_column }}' as report_column,
        reported__{{ metric }} as reported_value,
        modelled__{{ metric }} as modelled_value,
        modelled__{{ metric }} - reported__{{ metric }} as difference,
        reported_at

    from paired
    {% if not loop.last %}
    union all

    {% endif -%}
    {% endfor %}
)

select * from unpivoted
