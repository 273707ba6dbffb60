{#-
    Parts of email_campaign_engagement (CONTRACTS.md 9), kept here so the model stays short.
-#}

{#-
    One row per period, provider, account_id, campaign_id and `bucket_start_utc`: the campaign's
    pairs whose first open (`unique_open_count`) / first click (`unique_click_count`) / first
    human open (`human_unique_open_count`) / first human click (`human_unique_click_count`) falls
    in the bucket, a bigint each. `first_events` (a CTE) has the columns provider, account_id,
    campaign_id, event_type (`first-email-opened`, `first-email-clicked`, `first-human-opened`
    or `first-human-clicked`), pair_count and the UTC starts of the local hour and day holding the
    events (hour_bucket_start_utc, day_bucket_start_utc); `periods` (a CTE) has the period and its
    bucket_unit. Every first event is counted in every period, in the bucket of the period's unit
    (report_bucket_start): one outside the period's buckets matches none of them.
-#}
{% macro report_engagement_counts(first_events, periods) -%}
    select
        {{ periods }}.period,
        {{ first_events }}.provider,
        {{ first_events }}.account_id,
        {{ first_events }}.campaign_id,
        {{ report_bucket_start(first_events, periods) }} as bucket_start_utc,
        {{ report_sum_pairs(first_events ~ ".event_type = 'first-email-opened'", first_events) }} as unique_open_count,
        {{ report_sum_pairs(first_events ~ ".event_type = 'first-email-clicked'", first_events) }} as unique_click_count,
        {{ report_sum_pairs(first_events ~ ".event_type = 'first-human-opened'", first_events) }} as human_unique_open_count,
        {{ report_sum_pairs(first_events ~ ".event_type = 'first-human-clicked'", first_events) }} as human_unique_click_count
    from {{ first_events }}
    cross join {{ periods }}
    group by
        {{ periods }}.period,
        {{ first_events }}.provider,
        {{ first_events }}.account_id,
        {{ first_events }}.campaign_id,
        {{ report_bucket_start(first_events, periods) }}
{%- endmacro %}
