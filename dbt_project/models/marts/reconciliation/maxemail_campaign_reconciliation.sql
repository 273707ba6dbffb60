{#-
    One row per Maxemail account_id, campaign_id (email id) and metric: the provider's own total
    from `email_campaign.find` beside our number for it, and the difference (modelled - reported).
    A data test fails when any |difference| exceeds the var `reconciliation_tolerance`. A total
    `find` did not return (null) is not reconciled.
-#}

{{ config(enabled=var('maxemail_enabled', true)) }}

{#-
    (metric, the `find` number in `reported`, our number in `paired`'s inputs, where ours comes
    from). Maxemail splits hard and soft bounces by bounce type, while the report classes bounces
    by code (a permanent 5.7.x policy block is a soft bounce there): the split is reconciled on
    Maxemail's basis, the report's bounce total against hard + soft.
-#}
{%- set metrics = [
    ('total_sent', 'sent_count', 'campaign_report.sent_count',
        'email_campaign_report.sent_count'),
    ('total_unique_opens', 'unique_open_count', 'campaign_report.unique_open_count',
        'email_campaign_report.unique_open_count'),
    ('total_unique_clickthrus', 'unique_click_count', 'campaign_report.unique_click_count',
        'email_campaign_report.unique_click_count'),
    ('total_bounces', 'bounce_count', 'campaign_report.bounce_count',
        'email_campaign_report.bounce_count'),
    ('total_bounces_hard', 'hard_bounce_count', 'bounce_types.permanent_bounce_count',
        'recipients with a permanent bounce (stg_maxemail__bounces)'),
    ('total_bounces_soft', 'soft_bounce_count', 'bounce_types.other_bounce_count',
        'recipients with bounces, none permanent (stg_maxemail__bounces)'),
    ('total_unsubscribes_global_local', 'global_local_unsubscribe_count',
        'campaign_report.unsubscribe_count', 'email_campaign_report.unsubscribe_count'),
    ('total_unsubscribes_feedback', 'feedback_unsubscribe_count',
        'campaign_report.complaint_count', 'email_campaign_report.complaint_count'),
] -%}
{%- set metrics_from = [] -%}
{%- for metric, _, _, modelled_from in metrics -%}
    {%- do metrics_from.append((metric, metric, modelled_from)) -%}
{%- endfor %}

with

provider_totals as (

    select * from {{ ref('stg_maxemail__campaigns') }}

),

campaign_report as (

    select * from {{ ref('email_campaign_report') }}
    where provider = 'maxemail'

),

bounces as (

    select * from {{ ref('stg_maxemail__bounces') }}

),

reported as (

    select
        account_id,
        cast(email_id as {{ dbt.type_string() }}) as campaign_id,
        message_type,
        fetched_at,
        sent_count,
        unique_open_count,
        unique_click_count,
        hard_bounce_count,
        soft_bounce_count,
        {{ sum_of_reported(['hard_bounce_count', 'soft_bounce_count']) }} as bounce_count,
        -- our unsubscribe_count holds global and local unsubscribes (feedback is a complaint)
        {{ sum_of_reported(['global_unsubscribe_count', 'local_unsubscribe_count']) }}
            as global_local_unsubscribe_count,
        feedback_unsubscribe_count

    from provider_totals

),

bounce_types as (

    -- bounced recipients per message on Maxemail's basis: hard when a bounce is `permanent`
    select
        account_id,
        cast(email_id as {{ dbt.type_string() }}) as campaign_id,
        count(distinct case when bounce_type = 'permanent' then email_address end)
            as permanent_bounce_count,
        count(distinct email_address)
        - count(distinct case when bounce_type = 'permanent' then email_address end)
            as other_bounce_count

    from bounces
    group by account_id, email_id

),

campaign_ids as (

    -- messages known to either side: a message without events is modelled as 0, a message
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
        {% for metric, reported_column, modelled_column, _ in metrics -%}
        reported.{{ reported_column }} as reported__{{ metric }},
        coalesce({{ modelled_column }}, 0) as modelled__{{ metric }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}

    from campaign_ids
    left join reported
        on campaign_ids.account_id = reported.account_id
        and campaign_ids.campaign_id = reported.campaign_id
    left join campaign_report
        on campaign_ids.account_id = campaign_report.account_id
        and campaign_ids.campaign_id = campaign_report.campaign_id
    left join bounce_types
        on campaign_ids.account_id = bounce_types.account_id
        and campaign_ids.campaign_id = bounce_types.campaign_id

),

unpivoted as (

    {{ reconciliation_rows(
        'maxemail', ['account_id', 'campaign_id', 'message_type'], metrics_from,
    ) }}

)

select * from unpivoted
